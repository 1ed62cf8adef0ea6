package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two guests on one gvproxy ping each other through the switch: a QEMU guest (192.168.127.2) on
 * -listen-qemu running the pingpeer check against 192.168.127.3, and a {@link JvmGuest} (.3) that does the
 * VPNKit handshake on -listen-vpnkit, pings the QEMU guest and counts the replies. (Upstream refuses qemu and
 * vpnkit listeners together; this gvproxy combines any listeners.) A second case puts the JVM guest on
 * gvproxy's own stdin/stdout (-listen-stdio) instead.
 */
class QemuVpnkitPeersIT {
    private static final String PEER_IP = "192.168.127.3";
    private static final MacAddress PEER_MAC = MacAddress.parse("5a:94:ef:e4:0c:f3");
    private static final List<String> CHECKS = List.of("netdev", "static", "pingpeer", "hold");
    private static final int COUNT = 10;

    @Test
    void qemuGuestAndVpnkitGuestPingEachOther() throws Exception {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("qemu-vpnkit-peers");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            Path vpnkit = sockets.resolve("vpnkit.sock");
            List<String> flags = new java.util.ArrayList<>(QemuGatewayIT.qemuFlags(netdev));
            flags.addAll(List.of("-listen-vpnkit", "unix://" + vpnkit));
            // Both sockets are bound before either accepts, so waiting for QEMU's is enough.
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir, Listener.of(netdev), flags);
                 JvmGuest jvm = JvmGuest.overVpnkit("vpnkit-peer", vpnkit, java.util.UUID.randomUUID().toString(),
                         PEER_IP)) {
                pingEachOther(rig, runDir, gvproxy, jvm, netdev);
            }
        }
    }

    @Test
    void qemuGuestAndStdioGuestPingEachOther() throws Exception {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("qemu-stdio-peers");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            try (GvproxyProcess gvproxy = GvproxyProcess.startWithStdioLink(rig.gvproxyJar(), runDir,
                    Listener.of(netdev), QemuGatewayIT.qemuFlags(netdev));
                 JvmGuest jvm = JvmGuest.start("stdio-peer", gvproxy.stdioLink(new Counters()), PEER_MAC, PEER_IP)) {
                pingEachOther(rig, runDir, gvproxy, jvm, netdev);
            }
        }
    }

    private static void pingEachOther(Rig rig, Path runDir, GvproxyProcess gvproxy, JvmGuest jvm, QemuNetdev netdev)
            throws Exception {
        GuestSpec spec = GuestSpec.checks(CHECKS.toArray(String[]::new))
                .param("ip", Rig.GUEST_IP).param("peer", PEER_IP).param("hold", "15");
        int replies;
        try (QemuGuest qemu = QemuGuest.start(rig, runDir, "guest", netdev, spec)) {
            // The guest is still booting under TCG: ARP for it until its address is configured.
            MacAddress guestMac = jvm.resolve(Rig.GUEST_IP, spec.timeout()).orElseThrow(
                    () -> new AssertionError("the QEMU guest never answered ARP; " + jvm.stats()));
            assertEquals(MacAddress.parse(spec.mac()), guestMac, "QEMU guest MAC seen by the JVM guest");
            replies = jvm.ping(Rig.GUEST_IP, COUNT, Duration.ofMillis(200), Duration.ofSeconds(5));
            GuestResult result = qemu.awaitResult();
            System.out.println(result.timing());
            result.assertPassed(CHECKS);
            System.out.println("qemu -> JVM guest: " + result.check("pingpeer").orElseThrow().detail());
        }
        assertEquals(COUNT, replies, "JVM guest -> QEMU guest echo replies; " + jvm.stats());
        assertTrue(jvm.echoRequestsAnswered() >= COUNT, jvm.stats());
        System.out.println("JVM guest -> qemu: " + replies + "/" + COUNT + " replies; " + jvm.stats());

        GvproxyProcess.Exit exit = gvproxy.stop();
        assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
    }
}
