package io.gvproxy.core.nat;

import java.time.Duration;

/**
 * Bounds of the ICMP echo NAT (not in upstream, which opens a socket per request and waits 5 s for one reply).
 *
 * @param idleTimeout a flow that sent and received nothing for this long closes its socket
 * @param maxFlows    echo sockets at most (each holds a descriptor and a reader thread); a new flow beyond it
 *                    evicts the longest idle one
 */
public record IcmpNatConfig(Duration idleTimeout, int maxFlows) {
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_FLOWS = 64;

    public IcmpNatConfig {
        if (idleTimeout.isNegative() || idleTimeout.isZero() || maxFlows < 1) {
            throw new IllegalArgumentException("the idle timeout and the flow bound must be positive");
        }
    }

    public static IcmpNatConfig defaults() {
        return new IcmpNatConfig(DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_FLOWS);
    }
}
