package io.gvproxy.core;

import io.gvproxy.core.dhcp.DhcpConfig;
import io.gvproxy.core.dns.DnsConfig;
import io.gvproxy.core.dns.Zone;
import io.gvproxy.core.dns.ZoneTable;
import io.gvproxy.core.gateway.GatewayConfig;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.net.MacAddress;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The shape of the virtual network: what upstream calls the stack configuration.
 *
 * @param mtu               IP MTU of the virtual links
 * @param subnet            the virtual network, at least a /29
 * @param gatewayIp         the gateway: ARP, ping, DHCP, DNS, API
 * @param gatewayMac        the gateway NIC's MAC
 * @param deviceIp          the guest's address (static DHCP lease, ssh forward)
 * @param hostIp            the virtual "host" address, NAT'd to 127.0.0.1
 * @param gatewayVirtualIps further addresses the gateway answers ARP for (upstream's default: the host IP)
 * @param dnsZones          the DNS server's local zones at start (upstream's {@code DNS})
 * @param dnsSearchDomains  DHCP option 119 (upstream's {@code DNSSearchDomains})
 * @param dhcpStaticLeases  IP → MAC, reserved for that MAC (upstream's {@code DHCPStaticLeases})
 * @param dnsNameservers    where the DNS server forwards names outside its zones; none answers them SERVFAIL
 */
public record NetworkConfig(int mtu, Ipv4Subnet subnet, int gatewayIp, MacAddress gatewayMac, int deviceIp,
                            int hostIp, int[] gatewayVirtualIps, List<Zone> dnsZones, List<String> dnsSearchDomains,
                            Map<Integer, MacAddress> dhcpStaticLeases, List<InetSocketAddress> dnsNameservers) {
    public static final int DEFAULT_MTU = 1500;
    public static final Ipv4Subnet DEFAULT_SUBNET = Ipv4Subnet.parse("192.168.127.0/24");
    public static final MacAddress DEFAULT_GATEWAY_MAC = GatewayConfig.DEFAULT_MAC;

    public NetworkConfig {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(gatewayMac, "gatewayMac");
        gatewayVirtualIps = gatewayVirtualIps.clone();
        dnsZones = List.copyOf(dnsZones);
        dnsSearchDomains = List.copyOf(dnsSearchDomains);
        dhcpStaticLeases = Map.copyOf(dhcpStaticLeases);
        dnsNameservers = List.copyOf(dnsNameservers);
        for (int ip : new int[]{gatewayIp, deviceIp, hostIp}) {
            if (!subnet.contains(ip) || ip == subnet.network() || ip == subnet.broadcast()) {
                throw new IllegalArgumentException(Ipv4.toString(ip) + " is not a host address of " + subnet);
            }
        }
    }

    /**
     * Upstream's default mode for the rest: zones {@code containers.internal.} and {@code docker.internal.}, the
     * device IP statically leased to {@link DhcpConfig#DEFAULT_GUEST_MAC}; no search domains and no nameservers,
     * so nothing here reads host files or reaches the network (the CLI fills both in from the host).
     */
    public NetworkConfig(int mtu, Ipv4Subnet subnet, int gatewayIp, MacAddress gatewayMac, int deviceIp, int hostIp,
                         int[] gatewayVirtualIps) {
        this(mtu, subnet, gatewayIp, gatewayMac, deviceIp, hostIp, gatewayVirtualIps,
                ZoneTable.defaults(gatewayIp, hostIp).zones(), List.of(), Map.of(deviceIp, DhcpConfig.DEFAULT_GUEST_MAC),
                List.of());
    }

    /** Upstream's defaults for a subnet: gateway first usable, device second, host last usable. */
    public static NetworkConfig forSubnet(Ipv4Subnet subnet, int mtu) {
        int host = subnet.broadcast() - 1;
        return new NetworkConfig(mtu, subnet, subnet.network() + 1, DEFAULT_GATEWAY_MAC, subnet.network() + 2, host,
                new int[]{host});
    }

    public static NetworkConfig defaults() {
        return forSubnet(DEFAULT_SUBNET, DEFAULT_MTU);
    }

    public GatewayConfig gatewayConfig() {
        return new GatewayConfig(gatewayMac, gatewayIp, subnet, gatewayVirtualIps, mtu, true);
    }

    public NetworkConfig withDnsNameservers(List<InetSocketAddress> nameservers) {
        return new NetworkConfig(mtu, subnet, gatewayIp, gatewayMac, deviceIp, hostIp, gatewayVirtualIps, dnsZones,
                dnsSearchDomains, dhcpStaticLeases, nameservers);
    }

    public NetworkConfig withDnsSearchDomains(List<String> domains) {
        return new NetworkConfig(mtu, subnet, gatewayIp, gatewayMac, deviceIp, hostIp, gatewayVirtualIps, dnsZones,
                domains, dhcpStaticLeases, dnsNameservers);
    }

    /** The DHCP server's view: router and DNS = the gateway, the MTU, host and virtual IPs never leased. */
    public DhcpConfig dhcpConfig() {
        Set<Integer> excluded = new HashSet<>();
        excluded.add(hostIp);
        for (int ip : gatewayVirtualIps) {
            excluded.add(ip);
        }
        return new DhcpConfig(subnet, gatewayIp, List.of(gatewayIp), mtu, DhcpConfig.DEFAULT_LEASE_SECONDS,
                dnsSearchDomains, Optional.empty(), dhcpStaticLeases, excluded, DhcpConfig.DEFAULT_DECLINE_HOLD_SECONDS);
    }

    public DnsConfig dnsConfig() {
        return DnsConfig.of(dnsNameservers);
    }

    @Override
    public int[] gatewayVirtualIps() {
        return gatewayVirtualIps.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkConfig c && mtu == c.mtu && subnet.equals(c.subnet) && gatewayIp == c.gatewayIp
                && gatewayMac.equals(c.gatewayMac) && deviceIp == c.deviceIp && hostIp == c.hostIp
                && Arrays.equals(gatewayVirtualIps, c.gatewayVirtualIps) && dnsZones.equals(c.dnsZones)
                && dnsSearchDomains.equals(c.dnsSearchDomains) && dhcpStaticLeases.equals(c.dhcpStaticLeases)
                && dnsNameservers.equals(c.dnsNameservers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mtu, subnet, gatewayIp, gatewayMac, deviceIp, hostIp, Arrays.hashCode(gatewayVirtualIps),
                dnsZones, dnsSearchDomains, dhcpStaticLeases, dnsNameservers);
    }
}
