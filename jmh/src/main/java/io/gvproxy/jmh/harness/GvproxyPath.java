package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Our gvproxy and gvforwarder, as peer-baseline.md runs upstream's: tap0 in the guest (MAC 5a:94:ef:e4:0c:ee,
 * 192.168.127.2/24, default via 192.168.127.1), {@code gvforwarder -url unix://SOCK -iface tap0 -mtu N -preexisting},
 * {@code gvproxy -listen unix://SOCK -mtu N -ssh-port -1 -egress-allow 127.0.0.0/8} (egress only to loopback), and a
 * port forward 127.0.0.1:P to 192.168.127.2:5201 exposed through the API. Both run as a user starts them, through
 * cli/bin/gvproxy and cli/bin/gvforwarder, so the launchers' JVM defaults are what is measured.
 */
final class GvproxyPath {
    static final String GUEST_MAC = "5a:94:ef:e4:0c:ee";
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    private GvproxyPath() {
    }

    static NetPath start(int mtu, Toolbox tools, Spawner spawner, Path stateDir, long runId) throws IOException {
        Namespace ns = Namespace.create("gvh-" + runId + "-gv" + mtu, spawner, stateDir);
        int forwardPort = FreePort.loopback();
        String m = Integer.toString(mtu);
        Process gvproxy = null;
        Process forwarder = null;
        try {
            Path api = spawner.runDir().resolve("gvproxy-" + mtu + ".sock");
            gvproxy = spawner.start("gvproxy-" + mtu, List.of(tools.gvproxy(), "-listen", "unix://" + api, "-mtu", m,
                    "-ssh-port", "-1", "-egress-allow", "127.0.0.0/8"));
            ns.mustExec("ip", "tuntap", "add", "dev", "tap0", "mode", "tap");
            ns.mustExec("ip", "link", "set", "dev", "tap0", "address", GUEST_MAC, "mtu", m, "up");
            ns.mustExec("ip", "addr", "add", "192.168.127.2/24", "dev", "tap0");
            ns.mustExec("ip", "route", "add", "default", "via", "192.168.127.1", "dev", "tap0");
            Readiness.awaitUnixSocket(api, gvproxy, START_LIMIT);
            forwarder = spawner.start("gvforwarder-" + mtu, ns.inside(tools.gvforwarder(), "-url", "unix://" + api,
                    "-iface", "tap0", "-mtu", m, "-preexisting", "-stop-if-exist", "none"));
            Readiness.awaitPing(ns, "192.168.127.1", START_LIMIT);
            UnixRequest.httpPost(api, "/services/forwarder/expose", "{\"local\":\"127.0.0.1:" + forwardPort
                    + "\",\"remote\":\"192.168.127.2:" + NetPath.GUEST_PORT + "\"}");
            return new NetPath("gvproxy-" + mtu, ns, "127.0.0.1", "192.168.127.254",
                    new InetSocketAddress("127.0.0.1", forwardPort), spawner, gvproxy, forwarder, null);
        } catch (RuntimeException | IOException e) {
            NetPath.stopAndDelete(spawner, ns, forwarder, gvproxy);
            throw e;
        }
    }
}
