package io.gvproxy.core.gateway;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.net.MacAddress;

import java.util.Arrays;
import java.util.Objects;

/**
 * The gateway's identity on the virtual network.
 *
 * @param mac             the gateway NIC's MAC
 * @param ip              the gateway address: answered by ARP and ping
 * @param subnet          the virtual network
 * @param virtualIps      further addresses the gateway answers ARP for (upstream's GatewayVirtualIPs, e.g. the
 *                        host address .254); traffic to them reaches the IPv4 handlers, it is not answered here
 * @param mtu             IP MTU of the virtual link; longer IPv4 packets from guests are dropped
 * @param verifyChecksums whether IPv4 header and ICMP checksums of guest packets are verified. Upstream leaves
 *                        this to "RX checksum offload" and never checks; both checksums are always computed in
 *                        software by real guests, so checking costs compatibility nothing and stops corrupt input
 */
public record GatewayConfig(MacAddress mac, int ip, Ipv4Subnet subnet, int[] virtualIps, int mtu,
                            boolean verifyChecksums) {
    public static final MacAddress DEFAULT_MAC = MacAddress.parse("5a:94:ef:e4:0c:dd");
    public static final int DEFAULT_MTU = 1500;

    public GatewayConfig {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(subnet, "subnet");
        virtualIps = virtualIps == null ? new int[0] : virtualIps.clone();
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("gateway MAC must be unicast: " + mac);
        }
        if (!subnet.contains(ip) || ip == subnet.network() || ip == subnet.broadcast()) {
            throw new IllegalArgumentException("gateway IP " + Ipv4.toString(ip) + " is not a host address of " + subnet);
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU outside 68..65535: " + mtu);
        }
    }

    /** Upstream's defaults: 192.168.127.0/24, gateway .1 with MAC 5a:94:ef:e4:0c:dd, virtual IP .254, MTU 1500. */
    public static GatewayConfig defaults() {
        Ipv4Subnet subnet = Ipv4Subnet.parse("192.168.127.0/24");
        return new GatewayConfig(DEFAULT_MAC, subnet.addressAt(1), subnet, new int[]{subnet.addressAt(254)},
                DEFAULT_MTU, true);
    }

    /** A copy: the record must not be changed through its accessor. */
    @Override
    public int[] virtualIps() {
        return virtualIps.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GatewayConfig c && mac.equals(c.mac) && ip == c.ip && subnet.equals(c.subnet)
                && Arrays.equals(virtualIps, c.virtualIps) && mtu == c.mtu && verifyChecksums == c.verifyChecksums;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mac, ip, subnet, Arrays.hashCode(virtualIps), mtu, verifyChecksums);
    }

    @Override
    public String toString() {
        StringBuilder v = new StringBuilder();
        for (int a : virtualIps) {
            v.append(v.isEmpty() ? "" : ",").append(Ipv4.toString(a));
        }
        return "GatewayConfig[mac=" + mac + ", ip=" + Ipv4.toString(ip) + ", subnet=" + subnet + ", virtualIps=[" + v
                + "], mtu=" + mtu + ", verifyChecksums=" + verifyChecksums + "]";
    }
}
