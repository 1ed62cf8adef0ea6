package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.stats.Counter;

import java.time.Duration;
import java.util.Objects;

/**
 * How guest flows to addresses off the gateway become host sockets.
 *
 * @param table              destination rewrites (upstream's {@code NAT})
 * @param policy             which host-side destinations may be dialled
 * @param ec2MetadataAccess  whether 169.254.0.0/16 may be reached (upstream blocks it: TCP reset, UDP dropped)
 * @param connectTimeout     how long the host's TCP connect may take before the guest gets a reset (upstream
 *                           waits for the OS default, minutes)
 * @param udpIdleTimeout     a UDP flow with no datagram either way for this long is closed (upstream: 90 s)
 * @param maxUdpFlows        host UDP sockets at most; a new flow beyond it evicts the longest idle one
 */
public record NatConfig(NatTable table, EgressPolicy policy, boolean ec2MetadataAccess, Duration connectTimeout,
                        Duration udpIdleTimeout, int maxUdpFlows) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_UDP_IDLE_TIMEOUT = Duration.ofSeconds(90);
    public static final int DEFAULT_MAX_UDP_FLOWS = 1024;
    static final Ipv4Subnet LINK_LOCAL = Ipv4Subnet.parse("169.254.0.0/16");

    public NatConfig {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(policy, "policy");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || udpIdleTimeout.isNegative()
                || udpIdleTimeout.isZero() || maxUdpFlows < 1) {
            throw new IllegalArgumentException("timeouts and the UDP flow bound must be positive");
        }
    }

    /** Upstream's defaults: host IP → 127.0.0.1, every destination allowed, link-local blocked. */
    public static NatConfig defaults(int hostIp) {
        return new NatConfig(NatTable.hostLoopback(hostIp), EgressPolicy.allowAll(), false, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_UDP_IDLE_TIMEOUT, DEFAULT_MAX_UDP_FLOWS);
    }

    public NatConfig withPolicy(EgressPolicy p) {
        return new NatConfig(table, p, ec2MetadataAccess, connectTimeout, udpIdleTimeout, maxUdpFlows);
    }

    public NatConfig withEc2MetadataAccess(boolean v) {
        return new NatConfig(table, policy, v, connectTimeout, udpIdleTimeout, maxUdpFlows);
    }

    public NatConfig withConnectTimeout(Duration v) {
        return new NatConfig(table, policy, ec2MetadataAccess, v, udpIdleTimeout, maxUdpFlows);
    }

    public NatConfig withUdpIdleTimeout(Duration v) {
        return new NatConfig(table, policy, ec2MetadataAccess, connectTimeout, v, maxUdpFlows);
    }

    public NatConfig withMaxUdpFlows(int v) {
        return new NatConfig(table, policy, ec2MetadataAccess, connectTimeout, udpIdleTimeout, v);
    }

    /**
     * The host-side address for a guest destination, or {@link Outbound#BLOCKED_LINK_LOCAL} /
     * {@link Outbound#DENIED}: link-local is judged on the guest's address (as upstream), the policy on the
     * translated one (what the host would really dial).
     */
    long route(int guestDestination) {
        if (!ec2MetadataAccess && LINK_LOCAL.contains(guestDestination)) {
            return Outbound.BLOCKED_LINK_LOCAL;
        }
        int host = table.translate(guestDestination);
        return policy.allows(host) ? host & 0xFFFFFFFFL : Outbound.DENIED;
    }

    /** {@link #route}, with a refusal counted under its reason; negative when refused. */
    long route(int guestDestination, Counter linkLocal, Counter denied) {
        long route = route(guestDestination);
        if (route == Outbound.BLOCKED_LINK_LOCAL) {
            linkLocal.increment();
        } else if (route == Outbound.DENIED) {
            denied.increment();
        }
        return route;
    }
}
