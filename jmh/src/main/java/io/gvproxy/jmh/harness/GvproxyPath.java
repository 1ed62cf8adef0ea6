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
final class GvproxyPath implements NetPath {
    static final String GUEST_MAC = "5a:94:ef:e4:0c:ee";
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    private final int mtu;
    private final Namespace ns;
    private final Spawner spawner;
    private final int forwardPort;
    private Process gvproxy;
    private Process forwarder;

    private GvproxyPath(int mtu, Namespace ns, Spawner spawner, int forwardPort) {
        this.mtu = mtu;
        this.ns = ns;
        this.spawner = spawner;
        this.forwardPort = forwardPort;
    }

    static GvproxyPath start(int mtu, Toolbox tools, Spawner spawner, Path stateDir, long runId) throws IOException {
        Namespace ns = Namespace.create("gvh-" + runId + "-gv" + mtu, spawner, stateDir);
        GvproxyPath path = new GvproxyPath(mtu, ns, spawner, FreePort.loopback());
        try {
            Path api = spawner.runDir().resolve("gvproxy-" + mtu + ".sock");
            path.gvproxy = spawner.start("gvproxy-" + mtu, List.of(tools.gvproxy(), "-listen", "unix://" + api, "-mtu", Integer.toString(mtu), "-ssh-port", "-1",
                    "-egress-allow", "127.0.0.0/8"));
            ns.mustExec("ip", "tuntap", "add", "dev", "tap0", "mode", "tap");
            ns.mustExec("ip", "link", "set", "dev", "tap0", "address", GUEST_MAC, "mtu", Integer.toString(mtu), "up");
            ns.mustExec("ip", "addr", "add", "192.168.127.2/24", "dev", "tap0");
            ns.mustExec("ip", "route", "add", "default", "via", "192.168.127.1", "dev", "tap0");
            Readiness.awaitUnixSocket(api, path.gvproxy, START_LIMIT);
            path.forwarder = spawner.start("gvforwarder-" + mtu, ns.inside(tools.gvforwarder(), "-url", "unix://" + api, "-iface", "tap0", "-mtu", Integer.toString(mtu),
                    "-preexisting", "-stop-if-exist", "none"));
            Readiness.awaitPing(ns, "192.168.127.1", START_LIMIT);
            UnixRequest.httpPost(api, "/services/forwarder/expose", "{\"local\":\"127.0.0.1:" + path.forwardPort
                    + "\",\"remote\":\"192.168.127.2:" + GUEST_PORT + "\"}");
            return path;
        } catch (RuntimeException | IOException e) {
            path.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return "gvproxy-" + mtu;
    }

    @Override
    public Namespace guest() {
        return ns;
    }

    @Override
    public String hostBind() {
        return "127.0.0.1";
    }

    @Override
    public String hostAlias() {
        return "192.168.127.254";
    }

    @Override
    public InetSocketAddress hostToGuest() {
        return new InetSocketAddress("127.0.0.1", forwardPort);
    }

    @Override
    public long proxyPid() {
        return gvproxy.pid();
    }

    @Override
    public long forwarderPid() {
        return forwarder.pid();
    }

    @Override
    public String deadProcess() {
        if (!gvproxy.isAlive()) {
            return "gvproxy exited with " + gvproxy.exitValue();
        }
        return forwarder.isAlive() ? null : "gvforwarder exited with " + forwarder.exitValue();
    }

    @Override
    public void close() {
        if (forwarder != null) {
            spawner.stop(forwarder);
        }
        if (gvproxy != null) {
            spawner.stop(gvproxy);
        }
        ns.close();
    }
}
