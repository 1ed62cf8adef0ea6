package io.gvproxy.cli.http.api;

import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.dhcp.Lease;
import io.gvproxy.core.net.Ipv4;
import java.util.Map;
import java.util.TreeMap;

/**
 * Upstream's {@code /leases} and {@code /services/dhcp/leases}: its IP pool as a map IP → MAC. Upstream reserves the
 * gateway's own address in that pool, so the gateway appears first, then every static lease and every address a
 * guest holds. Keys are sorted as Go's encoder sorts map keys (as strings: .1, .10, .2).
 */
final class LeasesJson {
    private LeasesJson() {
    }

    static Map<String, String> leases(VirtualNetwork network, long nowMillis) {
        Map<String, String> out = new TreeMap<>();
        out.put(Ipv4.toString(network.config().gatewayIp()), network.config().gatewayMac().toString());
        for (Lease l : network.dhcpServer().leases(nowMillis)) {
            out.put(Ipv4.toString(l.ip()), l.mac().toString());
        }
        return out;
    }
}
