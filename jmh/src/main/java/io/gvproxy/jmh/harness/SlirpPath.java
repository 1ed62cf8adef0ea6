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
final class SlirpPath {
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    private SlirpPath() {
    }

    static NetPath start(Spawner spawner, Path stateDir, long runId) throws IOException {
        Namespace ns = Namespace.create("gvh-" + runId + "-slirp", spawner, stateDir);
        int forwardPort = FreePort.loopback();
        Process slirp = null;
        try {
            Path api = spawner.runDir().resolve("slirp.sock");
            slirp = spawner.start("slirp4netns", List.of("slirp4netns", "--configure", "--mtu=65520",
                    "--disable-dns", "--outbound-addr=127.0.0.1", "--api-socket", api.toString(),
                    "--netns-type=path", ns.path().toString(), "tap0"));
            Readiness.awaitUnixSocket(api, slirp, START_LIMIT);
            Readiness.awaitAddress(ns, "tap0", "10.0.2.100/24", slirp, START_LIMIT);
            String reply = UnixRequest.exchange(api, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
                    + "\"host_addr\":\"127.0.0.1\",\"host_port\":" + forwardPort + ",\"guest_port\":"
                    + NetPath.GUEST_PORT + "}}");
            if (!reply.contains("\"return\"") || reply.contains("\"error\"")) {
                throw new IOException("slirp4netns add_hostfwd answered: " + reply);
            }
            return new NetPath("slirp4netns", ns, "127.0.0.1", "10.0.2.2",
                    new InetSocketAddress("127.0.0.1", forwardPort), spawner, slirp, null, null);
        } catch (RuntimeException | IOException e) {
            NetPath.stopAndDelete(spawner, ns, slirp);
            throw e;
        }
    }
}
