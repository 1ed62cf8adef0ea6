package io.gvproxy.cli.http.api;

import io.gvproxy.cli.LargeSegmentOffer;
import io.gvproxy.cli.http.HttpResponse;
import io.gvproxy.cli.http.Router;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.forward.PortForwarder;
import io.gvproxy.core.net.MacAddress;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Upstream's API paths. Like upstream's handlers, only the POST endpoints check the method. {@code /connect} exists only on
 * {@code -listen} endpoints.
 */
public final class ApiRoutes {
    /**
     * Plugs a {@code /connect} client into the network as a VM link; blocks until the link ends.
     * {@code offeredLargeSegments}: the request carried our gvforwarder's {@link LargeSegmentOffer} header.
     */
    @FunctionalInterface
    public interface ConnectHandler {
        void connect(ByteChannel channel, String peer, boolean offeredLargeSegments) throws IOException;
    }

    private ApiRoutes() {
    }

    /** The {@code -listen} API: {@code /stats}, {@code /cam}, the DHCP, DNS and forwarder services,
     *  {@code /tunnel} and {@code /connect}. */
    public static Router listen(Supplier<VirtualNetwork> network, Supplier<PortForwarder> forwarder,
            ConnectHandler connect) {
        return services(network, forwarder).upgrade("/connect",
                r -> HttpResponse.hijack(channel -> connect.connect(channel, r.peer(),
                        LargeSegmentOffer.offered(r.header(LargeSegmentOffer.HEADER).orElse(null)))));
    }

    /** The {@code -services} API: the same without {@code /connect}. Only {@code /services/dns/add} and the
     *  forwarder's expose and unexpose check the method (POST, answering 400 "post only" otherwise). */
    public static Router services(Supplier<VirtualNetwork> network, Supplier<PortForwarder> forwarder) {
        ForwarderRoutes fwd = new ForwarderRoutes(forwarder, ForwarderRoutes.Caller.HOST);
        return new Router()
                .upgrade("/tunnel", r -> TunnelRoute.handle(r, forwarder))
                .handle("/services/forwarder/all", fwd::all)
                .handle("/services/forwarder/expose", fwd::expose)
                .handle("/services/forwarder/unexpose", fwd::unexpose)
                .handle("/stats", r -> JsonBody.ok(StatsJson.tree(network.get().counters())))
                .handle("/cam", r -> JsonBody.ok(cam(network.get())))
                .handle("/leases", r -> JsonBody.ok(LeasesJson.leases(network.get(), System.currentTimeMillis())))
                .handle("/services/dhcp/leases",
                        r -> JsonBody.ok(LeasesJson.leases(network.get(), System.currentTimeMillis())))
                .handle("/services/dns/all", r -> DnsRoutes.all(network.get().zoneTable()))
                .handle("/services/dns/add", r -> DnsRoutes.add(network.get().zoneTable(), r));
    }

    /**
     * The guest's API on gateway:80: only the forwarder. Unless {@code unrestricted}, exposing is limited to tcp
     * and udp on host loopback addresses (see {@link ForwarderRoutes}).
     */
    public static Router guest(Supplier<PortForwarder> forwarder, boolean unrestricted) {
        ForwarderRoutes fwd = new ForwarderRoutes(forwarder, unrestricted ? ForwarderRoutes.Caller.GUEST_UNRESTRICTED
                : ForwarderRoutes.Caller.GUEST_RESTRICTED);
        return new Router()
                .handle("/services/forwarder/all", fwd::all)
                .handle("/services/forwarder/expose", fwd::expose)
                .handle("/services/forwarder/unexpose", fwd::unexpose);
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
