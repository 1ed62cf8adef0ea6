package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * slirp4netns as peer-baseline.md runs it: MTU 65520, its DNS forwarder off, every outbound socket bound to
 * 127.0.0.1; the guest is 10.0.2.100/24 and reaches the host's loopback at 10.0.2.2. The port forward
 * 127.0.0.1:P to guest port 5201 is added over its API socket.
 */
final class SlirpPath implements NetPath {
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    private final Namespace ns;
    private final Spawner spawner;
    private final int forwardPort;
    private Process slirp;

    private SlirpPath(Namespace ns, Spawner spawner, int forwardPort) {
        this.ns = ns;
        this.spawner = spawner;
        this.forwardPort = forwardPort;
    }

    static SlirpPath start(Spawner spawner, Path stateDir, long runId) throws IOException {
        Namespace ns = Namespace.create("gvh-" + runId + "-slirp", spawner, stateDir);
        SlirpPath path = new SlirpPath(ns, spawner, FreePort.loopback());
        try {
            Path api = spawner.runDir().resolve("slirp.sock");
            path.slirp = spawner.start("slirp4netns", List.of("slirp4netns", "--configure", "--mtu=65520",
                    "--disable-dns", "--outbound-addr=127.0.0.1", "--api-socket", api.toString(),
                    "--netns-type=path", ns.path().toString(), "tap0"));
            Readiness.awaitUnixSocket(api, path.slirp, START_LIMIT);
            Readiness.await("slirp4netns configuring tap0", START_LIMIT,
                    () -> ns.exec("ip", "-4", "addr", "show", "dev", "tap0").output().contains("10.0.2.100/24"));
            String reply = UnixRequest.exchange(api, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
                    + "\"host_addr\":\"127.0.0.1\",\"host_port\":" + path.forwardPort + ",\"guest_port\":"
                    + GUEST_PORT + "}}");
            if (!reply.contains("\"return\"") || reply.contains("\"error\"")) {
                throw new IOException("slirp4netns add_hostfwd answered: " + reply);
            }
            return path;
        } catch (RuntimeException | IOException e) {
            path.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return "slirp4netns";
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
        return "10.0.2.2";
    }

    @Override
    public InetSocketAddress hostToGuest() {
        return new InetSocketAddress("127.0.0.1", forwardPort);
    }

    @Override
    public long proxyPid() {
        return slirp.pid();
    }

    @Override
    public long forwarderPid() {
        return -1;
    }

    @Override
    public String deadProcess() {
        return slirp.isAlive() ? null : "slirp4netns exited with " + slirp.exitValue();
    }

    @Override
    public void close() {
        if (slirp != null) {
            spawner.stop(slirp);
        }
        ns.close();
    }
}
