package io.gvproxy.cli.http.api;

import io.gvproxy.cli.http.HttpResponse;
import io.gvproxy.cli.http.Router;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.net.MacAddress;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Upstream's API paths. Like upstream's handlers, none but {@code /services/dns/add} checks the method. {@code /connect} exists only on
 * {@code -listen} endpoints.
 */
public final class ApiRoutes {
    /** Plugs a {@code /connect} client into the network as a VM link; blocks until the link ends. */
    @FunctionalInterface
    public interface ConnectHandler {
        void connect(ByteChannel channel, String peer) throws IOException;
    }

    private ApiRoutes() {
    }

    /** The {@code -listen} API: {@code /stats}, {@code /cam}, the DHCP and DNS services and {@code /connect}. */
    public static Router listen(Supplier<VirtualNetwork> network, ConnectHandler connect) {
        return services(network).upgrade("/connect",
                r -> HttpResponse.hijack(channel -> connect.connect(channel, r.peer())));
    }

    /** The {@code -services} API: the same without {@code /connect}. Only {@code /services/dns/add} checks the
     *  method (POST). */
    public static Router services(Supplier<VirtualNetwork> network) {
        return new Router()
                .handle("/stats", r -> JsonBody.ok(StatsJson.tree(network.get().counters())))
                .handle("/cam", r -> JsonBody.ok(cam(network.get())))
                .handle("/leases", r -> JsonBody.ok(LeasesJson.leases(network.get(), System.currentTimeMillis())))
                .handle("/services/dhcp/leases",
                        r -> JsonBody.ok(LeasesJson.leases(network.get(), System.currentTimeMillis())))
                .handle("/services/dns/all", r -> DnsRoutes.all(network.get().zoneTable()))
                .handle("/services/dns/add", r -> DnsRoutes.add(network.get().zoneTable(), r));
    }

    /** MAC (Go's lower-case colon form) → switch port id, keys sorted as Go's encoder sorts map keys. */
    static Map<String, Integer> cam(VirtualNetwork network) {
        Map<String, Integer> out = new TreeMap<>();
        for (Map.Entry<MacAddress, Integer> e : network.vswitch().cam().entrySet()) {
            out.put(e.getKey().toString(), e.getValue());
        }
        return out;
    }
}
