package io.gvproxy.core;

import io.gvproxy.core.gateway.GatewayConfig;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.net.MacAddress;

import java.util.Arrays;
import java.util.Objects;

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
 */
public record NetworkConfig(int mtu, Ipv4Subnet subnet, int gatewayIp, MacAddress gatewayMac, int deviceIp,
                            int hostIp, int[] gatewayVirtualIps) {
    public static final int DEFAULT_MTU = 1500;
    public static final Ipv4Subnet DEFAULT_SUBNET = Ipv4Subnet.parse("192.168.127.0/24");
    public static final MacAddress DEFAULT_GATEWAY_MAC = GatewayConfig.DEFAULT_MAC;

    public NetworkConfig {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(gatewayMac, "gatewayMac");
        gatewayVirtualIps = gatewayVirtualIps.clone();
        for (int ip : new int[]{gatewayIp, deviceIp, hostIp}) {
            if (!subnet.contains(ip) || ip == subnet.network() || ip == subnet.broadcast()) {
                throw new IllegalArgumentException(Ipv4.toString(ip) + " is not a host address of " + subnet);
            }
        }
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

    @Override
    public int[] gatewayVirtualIps() {
        return gatewayVirtualIps.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkConfig c && mtu == c.mtu && subnet.equals(c.subnet) && gatewayIp == c.gatewayIp
                && gatewayMac.equals(c.gatewayMac) && deviceIp == c.deviceIp && hostIp == c.hostIp
                && Arrays.equals(gatewayVirtualIps, c.gatewayVirtualIps);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mtu, subnet, gatewayIp, gatewayMac, deviceIp, hostIp, Arrays.hashCode(gatewayVirtualIps));
    }
}
