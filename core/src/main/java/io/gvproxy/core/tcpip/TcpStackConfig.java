package io.gvproxy.core.tcpip;

import io.gvproxy.core.tcp.TcpConfig;

import java.util.Objects;

/**
 * Bounds and tunables of a {@link TcpStack}.
 *
 * @param tcp                  per-connection engine settings; its MSS should be the IP MTU minus 40
 * @param maxConnections       connections and pending SYNs together; SYNs beyond it are dropped and counted
 * @param maxHalfOpen          guest SYNs offered to the listener or answered and not yet established. Upstream's
 *                             gVisor forwarder allows 10, which collapses the connection rate of a busy guest;
 *                             this bound only stops SYN floods from holding the table
 * @param synOfferTimeoutNanos how long a held SYN waits for the listener's accept or reject before it is
 *                             forgotten (the guest's retransmitted SYN then makes a fresh offer)
 * @param verifyChecksums      whether TCP checksums of received segments are verified (off only for trusted
 *                             links); outgoing checksums are always computed
 */
public record TcpStackConfig(TcpConfig tcp, int maxConnections, int maxHalfOpen, long synOfferTimeoutNanos,
                             boolean verifyChecksums) {
    public static final int DEFAULT_MAX_CONNECTIONS = 16384;
    public static final int DEFAULT_MAX_HALF_OPEN = 1024;
    public static final long DEFAULT_SYN_OFFER_TIMEOUT_NANOS = 30_000_000_000L;
    /** IPv4 and TCP headers without options: what the MSS leaves of the MTU. */
    public static final int HEADER_OVERHEAD = 40;
    /** The table's arrays are sized at twice the bound, up front: keep them within reason. */
    public static final int MAX_CONNECTIONS_LIMIT = 1 << 22;

    public TcpStackConfig {
        Objects.requireNonNull(tcp, "tcp");
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS_LIMIT || maxHalfOpen < 1
                || synOfferTimeoutNanos <= 0) {
            throw new IllegalArgumentException("bounds must be positive: " + maxConnections + ", " + maxHalfOpen
                    + ", " + synOfferTimeoutNanos);
        }
    }

    /** Defaults for a link of {@code mtu}: MSS = MTU - 40, checksums verified. */
    public static TcpStackConfig forMtu(int mtu) {
        return new TcpStackConfig(TcpConfig.builder().mss(mtu - HEADER_OVERHEAD).build(), DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_HALF_OPEN, DEFAULT_SYN_OFFER_TIMEOUT_NANOS, true);
    }

    public TcpStackConfig withTcp(TcpConfig v) {
        return new TcpStackConfig(v, maxConnections, maxHalfOpen, synOfferTimeoutNanos, verifyChecksums);
    }

    public TcpStackConfig withLimits(int connections, int halfOpen) {
        return new TcpStackConfig(tcp, connections, halfOpen, synOfferTimeoutNanos, verifyChecksums);
    }

    public TcpStackConfig withVerifyChecksums(boolean v) {
        return new TcpStackConfig(tcp, maxConnections, maxHalfOpen, synOfferTimeoutNanos, v);
    }

    public TcpStackConfig withSynOfferTimeoutNanos(long v) {
        return new TcpStackConfig(tcp, maxConnections, maxHalfOpen, v, verifyChecksums);
    }
}
