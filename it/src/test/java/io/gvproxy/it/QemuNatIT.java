package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A QEMU guest leases its address over DHCP, then downloads a file with busybox wget through gvproxy's NAT from the
 * host's 127.0.0.1 (via 192.168.127.254) and from an {@link InternetNamespace} (10.200.0.2), checking its sha256
 * with busybox sha256sum; a closed host port and a destination outside the egress policy are refused within 1 s.
 * Then iperf3 (the host's, carried with its libraries in the initramfs) measures TCP both ways and UDP at 200 Mbit/s
 * against the host's 127.0.0.1. Sizes: {@code -Dnat.it.qemu.bytes} (default 50 MiB), {@code -Dnat.it.iperf.seconds}
 * (5).
 */
class QemuNatIT {
    private static final long BYTES = Long.getLong("nat.it.qemu.bytes", 50L << 20);
    private static final List<String> CHECKS = List.of("netdev", "dhcp", "natwget", "natrefused", "natiperf");
    private static final int INTERNET_HTTP_PORT = 8080;
    private static final int IPERF_SECONDS = Integer.getInteger("nat.it.iperf.seconds", 5);

    @Test
    void dhcpGuestDownloadsThroughTheNatAndIsRefusedWhereItShouldBe() throws IOException {
        Rig rig = Rig.require();
        Path iperf3 = Rig.requireTool("iperf3", "iperf3");
        Path runDir = rig.runDir("qemu-nat");
        try (ShortTempDir sockets = ShortTempDir.create();
             InternetNamespace internet = InternetNamespace.create(runDir);
             Iperf3 hostIperf = Iperf3.start(runDir, "loopback", "127.0.0.1");
             BlobHttpServer hostHttp = BlobHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            internet.spawnAndAwait("http", BlobHttpServer.READY, GvproxyProcess.testJava(), "-Xmx128m", "-cp",
                    System.getProperty("java.class.path"), BlobHttpServer.class.getName(), InternetNamespace.ADDRESS,
                    Integer.toString(INTERNET_HTTP_PORT));
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            List<String> flags = new ArrayList<>(QemuGatewayIT.qemuFlags(netdev));
            flags.addAll(List.of("-egress-allow", "127.0.0.0/8", "-egress-allow", InternetNamespace.SUBNET));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev), flags)) {
                String urls = "http://192.168.127.254:" + hostHttp.port() + "/blob/" + BYTES + ",http://"
                        + InternetNamespace.ADDRESS + ":" + INTERNET_HTTP_PORT + "/blob/" + BYTES;
                GuestSpec spec = GuestSpec.checks(CHECKS.toArray(String[]::new))
                        .param("nat_urls", urls).param("nat_sha256", BlobHttpServer.sha256(BYTES))
                        .param("nat_refused", "192.168.127.254:" + closedPort() + ",10.201.0.1:80")
                        .param("nat_iperf", "192.168.127.254:" + hostIperf.port())
                        .param("nat_iperf_seconds", Integer.toString(IPERF_SECONDS))
                        .param("check_timeout", "600").timeout(Duration.ofMinutes(15));
                GuestResult result = QemuGuest.run(runDir, "guest", spec, QemuGuest.qemuCommand(rig,
                        netdev.qemuNetdev(), spec, rig.initramfsWith(List.of(iperf3))));
                result.assertPassed(CHECKS);
                System.out.println("qemu nat: " + (BYTES >> 20) + " MiB: "
                        + result.check("natwget").orElseThrow().detail() + "\nqemu nat refused: "
                        + result.check("natrefused").orElseThrow().detail() + "\nqemu nat iperf3: "
                        + result.check("natiperf").orElseThrow().detail());
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
                String log = gvproxy.logText();
                assertTrue(log.contains(" nat.tcp.denied=1") && log.contains(" nat.tcp.refused=1"),
                        "the NAT's counters at exit:\n" + log);
            }
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
