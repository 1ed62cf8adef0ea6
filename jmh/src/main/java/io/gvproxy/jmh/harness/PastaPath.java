package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * pasta as peer-baseline.md runs it: in the foreground, IPv4 only, MTU 65520, tap0 = 10.0.2.100/24 via 10.0.2.2
 * (the host's loopback), outbound sockets bound to lo, only the TCP forward 127.0.0.1:P to guest port 5201 (pasta
 * splices a forward from host loopback in the kernel, so that column is not its tap path; -R is). No ping check:
 * pasta answers ICMP with ping sockets, which net.ipv4.ping_group_range may deny.
 */
final class PastaPath {
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    private PastaPath() {
    }

    static NetPath start(Spawner spawner, Path stateDir, long runId) throws IOException {
        Namespace ns = Namespace.create("gvh-" + runId + "-pasta", spawner, stateDir);
        int forwardPort = FreePort.loopback();
        Process pasta = null;
        try {
            Path dir = spawner.runDir();
            pasta = spawner.start("pasta", List.of("pasta", "--runas", "0", "--config-net", "-f", "-4",
                    "-i", "eth0", "-a", "10.0.2.100", "-n", "24", "-g", "10.0.2.2", "-I", "tap0", "-m", "65520",
                    "--outbound-if4", "lo", "-t", "127.0.0.1/" + forwardPort + ":" + NetPath.GUEST_PORT,
                    "-u", "none", "-T", "none", "-U", "none", "-P", dir.resolve("pasta.pid").toString(),
                    "-l", dir.resolve("pasta.trace.log").toString(), "--netns", ns.name()));
            Readiness.awaitAddress(ns, "tap0", "10.0.2.100/24", pasta, START_LIMIT);
            return new NetPath("pasta", ns, "127.0.0.1", "10.0.2.2", new InetSocketAddress("127.0.0.1", forwardPort),
                    spawner, pasta, null, null);
        } catch (RuntimeException e) {
            NetPath.stopAndDelete(spawner, ns, pasta);
            throw e;
        }
    }
}
