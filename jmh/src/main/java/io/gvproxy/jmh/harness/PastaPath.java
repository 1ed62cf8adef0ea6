package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * pasta as peer-baseline.md runs it: in the foreground, IPv4 only, MTU 65520, tap0 = 10.0.2.100/24 via 10.0.2.2
 * (the host's loopback), outbound sockets bound to lo, only the TCP forward 127.0.0.1:P to guest port 5201 (pasta
 * splices a forward from host loopback in the kernel, so that column is not its tap path; -R is).
 */
final class PastaPath implements NetPath {
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    private final Namespace ns;
    private final Spawner spawner;
    private final int forwardPort;
    private Process pasta;

    private PastaPath(Namespace ns, Spawner spawner, int forwardPort) {
        this.ns = ns;
        this.spawner = spawner;
        this.forwardPort = forwardPort;
    }

    static PastaPath start(Spawner spawner, Path stateDir, long runId) throws IOException {
        Namespace ns = Namespace.create("gvh-" + runId + "-pasta", spawner, stateDir);
        PastaPath path = new PastaPath(ns, spawner, FreePort.loopback());
        try {
            Path dir = spawner.runDir();
            path.pasta = spawner.start("pasta", List.of("pasta", "--runas", "0", "--config-net", "-f", "-4",
                    "-i", "eth0", "-a", "10.0.2.100", "-n", "24", "-g", "10.0.2.2", "-I", "tap0", "-m", "65520",
                    "--outbound-if4", "lo", "-t", "127.0.0.1/" + path.forwardPort + ":" + GUEST_PORT,
                    "-u", "none", "-T", "none", "-U", "none", "-P", dir.resolve("pasta.pid").toString(),
                    "-l", dir.resolve("pasta.trace.log").toString(), "--netns", ns.name()));
            Readiness.await("pasta configuring tap0", START_LIMIT, () -> {
                if (!path.pasta.isAlive()) {
                    throw new IllegalStateException("pasta exited with " + path.pasta.exitValue());
                }
                return ns.exec("ip", "-4", "addr", "show", "dev", "tap0").output().contains("10.0.2.100/24");
            });
            return path;
        } catch (RuntimeException e) {
            // No ping check: pasta answers ICMP with ping sockets, which net.ipv4.ping_group_range may deny.
            path.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return "pasta";
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
        return pasta.pid();
    }

    @Override
    public long forwarderPid() {
        return -1;
    }

    @Override
    public String deadProcess() {
        return pasta.isAlive() ? null : "pasta exited with " + pasta.exitValue();
    }

    @Override
    public void close() {
        if (pasta != null) {
            spawner.stop(pasta);
        }
        ns.close();
    }
}
