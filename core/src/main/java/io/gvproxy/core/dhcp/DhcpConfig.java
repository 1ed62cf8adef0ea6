package io.gvproxy.core.dhcp;

import io.gvproxy.core.dns.ResolvConf;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.net.MacAddress;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the DHCP server hands out.
 *
 * @param staticLeases    IP → MAC, always granted to that MAC and never to another one
 * @param excludedIps     never leased: the host IP, the gateway's virtual IPs and anything else reserved
 * @param declineHoldSeconds how long an address a client DECLINEd stays out of the pool
 */
public record DhcpConfig(Ipv4Subnet subnet, int gatewayIp, List<Integer> dnsServers, int mtu, int leaseSeconds,
                         List<String> searchDomains, Optional<String> domainName, Map<Integer, MacAddress> staticLeases,
                         Set<Integer> excludedIps, int declineHoldSeconds) {
    public static final int DEFAULT_LEASE_SECONDS = 3600;
    public static final int DEFAULT_DECLINE_HOLD_SECONDS = 600;
    public static final MacAddress DEFAULT_GUEST_MAC = MacAddress.parse("5a:94:ef:e4:0c:ee");

    public DhcpConfig {
        if (subnet.prefixLength() > 30) {
            throw new IllegalArgumentException("subnet too small for DHCP: " + subnet);
        }
        if (!subnet.contains(gatewayIp)) {
            throw new IllegalArgumentException("gateway " + Ipv4.toString(gatewayIp) + " outside " + subnet);
        }
        if (leaseSeconds < 1) {
            throw new IllegalArgumentException("lease time must be positive: " + leaseSeconds);
        }
        if (declineHoldSeconds < 0) {
            throw new IllegalArgumentException("decline hold must not be negative: " + declineHoldSeconds);
        }
        dnsServers = List.copyOf(dnsServers);
        searchDomains = List.copyOf(searchDomains);
        DomainSearchEncoding.encode(searchDomains);
        domainName.ifPresent(DomainSearchEncoding::labels);
        staticLeases = Map.copyOf(new LinkedHashMap<>(staticLeases));
        Set<MacAddress> macs = new HashSet<>();
        for (var e : staticLeases.entrySet()) {
            if (!subnet.contains(e.getKey())) {
                throw new IllegalArgumentException("static lease " + Ipv4.toString(e.getKey()) + " outside " + subnet);
            }
            if (!macs.add(e.getValue())) {
                throw new IllegalArgumentException("MAC " + e.getValue() + " has more than one static lease");
            }
        }
        excludedIps = Set.copyOf(excludedIps);
    }

    /**
     * Upstream's default network: 192.168.127.0/24, gateway .1, device .2 statically leased to
     * 5a:94:ef:e4:0c:ee, host .254 excluded, MTU 1500, lease 3600 s.
     */
    public static DhcpConfig defaults(List<String> searchDomains) {
        Ipv4Subnet subnet = Ipv4Subnet.parse("192.168.127.0/24");
        int gateway = subnet.addressAt(1);
        return new DhcpConfig(subnet, gateway, List.of(gateway), 1500, DEFAULT_LEASE_SECONDS, searchDomains,
                Optional.empty(), Map.of(subnet.addressAt(2), DEFAULT_GUEST_MAC), Set.of(subnet.addressAt(254)),
                DEFAULT_DECLINE_HOLD_SECONDS);
    }

    /** {@link #defaults(List)} with the search domains of a resolv.conf file, as upstream reads the host's
     *  ({@link ResolvConf#DEFAULT_PATH}). */
    public static DhcpConfig defaults(Path resolvConf) {
        return defaults(ResolvConf.read(resolvConf).search());
    }

    public DhcpConfig withSearchDomains(List<String> domains) {
        return new DhcpConfig(subnet, gatewayIp, dnsServers, mtu, leaseSeconds, domains, domainName, staticLeases,
                excludedIps, declineHoldSeconds);
    }

    public DhcpConfig withLeaseSeconds(int seconds) {
        return new DhcpConfig(subnet, gatewayIp, dnsServers, mtu, seconds, searchDomains, domainName, staticLeases,
                excludedIps, declineHoldSeconds);
    }

    public DhcpConfig withDomainName(String name) {
        return new DhcpConfig(subnet, gatewayIp, dnsServers, mtu, leaseSeconds, searchDomains, Optional.of(name),
                staticLeases, excludedIps, declineHoldSeconds);
    }
}
