package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The kernel baseline: a veth pair between the host and the guest namespace, 10.231.X.1/24 and .2/24, MTU 1500. */
final class VethPath {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private VethPath() {
    }

    /** {@code runId} keeps the interface names and the /24 of concurrent runs apart. */
    static NetPath start(Spawner spawner, Path stateDir, long runId) throws IOException {
        Namespace ns = Namespace.create("gvh-" + runId + "-veth", spawner, stateDir);
        int subnet = (int) (runId % 200) + 20;
        String hostIf = "gvbh" + runId;
        String guestIf = "gvbg" + runId;
        String hostIp = "10.231." + subnet + ".1";
        String guestIp = "10.231." + subnet + ".2";
        // Deleting the namespace destroys the guest end and with it the pair; this also covers a half-made pair.
        Runnable deleteLink = () -> spawner.run(LIMIT, List.of("ip", "link", "del", hostIf));
        try {
            spawner.mustRun(LIMIT, List.of("ip", "link", "add", hostIf, "mtu", "1500", "type", "veth", "peer",
                    "name", guestIf, "mtu", "1500", "netns", ns.name()));
            spawner.mustRun(LIMIT, List.of("ip", "addr", "add", hostIp + "/24", "dev", hostIf));
            spawner.mustRun(LIMIT, List.of("ip", "link", "set", hostIf, "up"));
            ns.mustExec("ip", "addr", "add", guestIp + "/24", "dev", guestIf);
            ns.mustExec("ip", "link", "set", guestIf, "up");
            Readiness.awaitPing(ns, hostIp, LIMIT);
            return new NetPath("veth", ns, hostIp, hostIp, new InetSocketAddress(guestIp, NetPath.GUEST_PORT), spawner,
                    null, null, deleteLink);
        } catch (RuntimeException e) {
            NetPath.stopAndDelete(spawner, ns);
            deleteLink.run();
            throw e;
        }
    }
}
