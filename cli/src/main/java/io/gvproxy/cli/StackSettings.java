package io.gvproxy.cli;

import io.gvproxy.core.dhcp.DhcpConfig;
import io.gvproxy.core.dns.Zone;
import io.gvproxy.core.dns.ZoneTable;
import io.gvproxy.core.forward.PortForwarder;
import io.gvproxy.core.link.VpnkitHandshake;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.NetworkConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of upstream's stack configuration that no flag sets: filled with upstream's defaults without
 * {@code -config} (default mode), taken from the file with it (config mode, where most are empty unless given).
 *
 * @param dnsSearchDomains empty: the host's resolv.conf search line (default mode); present: exactly these
 * @param forwards         static host → guest forwards opened at start (upstream's {@code stack.forwards})
 */
public record StackSettings(MacAddress gatewayMac, List<Integer> gatewayVirtualIps, List<Zone> dnsZones,
                            Optional<List<String>> dnsSearchDomains, Map<Integer, MacAddress> dhcpStaticLeases,
                            Map<String, MacAddress> vpnkitMacs, List<PortForwarder.Forward> forwards) {
    public StackSettings {
        gatewayVirtualIps = List.copyOf(gatewayVirtualIps);
        dnsZones = List.copyOf(dnsZones);
        dnsSearchDomains = dnsSearchDomains.map(List::copyOf);
        dhcpStaticLeases = Map.copyOf(dhcpStaticLeases);
        vpnkitMacs = Map.copyOf(vpnkitMacs);
        forwards = List.copyOf(forwards);
    }

    /** Upstream's default mode: zones, static lease, VPNKit UUID, and the ssh forward unless sshPort is -1. */
    public static StackSettings defaults(int gatewayIp, int deviceIp, int hostIp, int sshPort) {
        List<PortForwarder.Forward> forwards = new ArrayList<>();
        if (sshPort != -1) {
            forwards.add(new PortForwarder.Forward("127.0.0.1:" + sshPort, Ipv4.toString(deviceIp) + ":22", "tcp"));
        }
        return new StackSettings(NetworkConfig.DEFAULT_GATEWAY_MAC, List.of(hostIp),
                ZoneTable.defaults(gatewayIp, hostIp).zones(), Optional.empty(),
                Map.of(deviceIp, DhcpConfig.DEFAULT_GUEST_MAC), VpnkitHandshake.DEFAULT_UUID_MACS, forwards);
    }
}
