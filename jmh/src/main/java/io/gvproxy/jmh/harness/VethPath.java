package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The kernel baseline: a veth pair between the host and the guest namespace, 10.231.X.1/24 and .2/24, MTU 1500. */
final class VethPath implements NetPath {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private final Namespace ns;
    private final Spawner spawner;
    private final String hostIf;
    private final String hostIp;
    private final String guestIp;

    private VethPath(Namespace ns, Spawner spawner, String hostIf, int subnet) {
        this.ns = ns;
        this.spawner = spawner;
        this.hostIf = hostIf;
        this.hostIp = "10.231." + subnet + ".1";
        this.guestIp = "10.231." + subnet + ".2";
    }

    /** {@code runId} keeps the interface names and the /24 of concurrent runs apart. */
    static VethPath start(Spawner spawner, Path stateDir, long runId) throws IOException {
        Namespace ns = Namespace.create("gvh-" + runId + "-veth", spawner, stateDir);
        VethPath path = new VethPath(ns, spawner, "gvbh" + runId, (int) (runId % 200) + 20);
        try {
            String guestIf = "gvbg" + runId;
            spawner.mustRun(LIMIT, List.of("ip", "link", "add", path.hostIf, "mtu", "1500", "type", "veth", "peer",
                    "name", guestIf, "mtu", "1500", "netns", ns.name()));
            spawner.mustRun(LIMIT, List.of("ip", "addr", "add", path.hostIp + "/24", "dev", path.hostIf));
            spawner.mustRun(LIMIT, List.of("ip", "link", "set", path.hostIf, "up"));
            ns.mustExec("ip", "addr", "add", path.guestIp + "/24", "dev", guestIf);
            ns.mustExec("ip", "link", "set", guestIf, "up");
            Readiness.awaitPing(ns, path.hostIp, Duration.ofSeconds(20));
            return path;
        } catch (RuntimeException e) {
            path.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return "veth";
    }

    @Override
    public Namespace guest() {
        return ns;
    }

    @Override
    public String hostBind() {
        return hostIp;
    }

    @Override
    public String hostAlias() {
        return hostIp;
    }

    @Override
    public InetSocketAddress hostToGuest() {
        return new InetSocketAddress(guestIp, GUEST_PORT);
    }

    @Override
    public long proxyPid() {
        return -1;
    }

    @Override
    public long forwarderPid() {
        return -1;
    }

    @Override
    public String deadProcess() {
        return null;
    }

    @Override
    public void close() {
        // Deleting the namespace destroys the guest end, and with it the pair; the explicit delete covers a
        // namespace that was never made.
        ns.close();
        spawner.run(LIMIT, List.of("ip", "link", "del", hostIf));
    }
}
