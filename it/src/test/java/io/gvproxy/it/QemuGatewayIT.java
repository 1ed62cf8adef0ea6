package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real Linux guest on gvproxy's virtual network, statically addressed, sees the gateway: its ARP
 * reply (with the gateway MAC), no ARP reply for an unused address, and ping with 0 % loss. Once
 * per QEMU transport gvproxy accepts with -listen-qemu.
 */
class QemuGatewayIT {
    static final List<String> GATEWAY_CHECKS = List.of("netdev", "static", "arp", "arpnone", "ping");

    @Test
    void unixStreamGuestReachesGateway() {
        Rig rig = Rig.require();
        try (ShortTempDir sockets = ShortTempDir.create()) {
            runGatewayGuest(rig, rig.runDir("gateway-unix"), QemuNetdev.unixStream(sockets.resolve("qemu.sock")));
        }
    }

    @Test
    void tcpSocketGuestReachesGateway() {
        Rig rig = Rig.require();
        runGatewayGuest(rig, rig.runDir("gateway-tcp"), QemuNetdev.tcpSocket(FreePort.loopback()));
    }

    private static void runGatewayGuest(Rig rig, Path runDir, QemuNetdev netdev) {
        try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev), qemuFlags(netdev))) {
            GuestResult result = QemuGuest.run(rig, runDir, "guest", netdev,
                    GuestSpec.checks(GATEWAY_CHECKS.toArray(String[]::new)).param("ip", Rig.GUEST_IP));
            result.assertPassed(GATEWAY_CHECKS);
            String arp = result.check("arp").orElseThrow().detail();
            assertTrue(arp.contains("is-at " + Rig.GATEWAY_MAC), "gateway ARP reply: " + arp);
            System.out.println(netdev.gvproxyListenQemu() + " ping: " + result.check("ping").orElseThrow().detail());
            GvproxyProcess.Exit exit = gvproxy.stop();
            assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
        }
    }

    /** -ssh-port -1: no default 127.0.0.1:2222 forward, which parallel runs would fight over. */
    static List<String> qemuFlags(QemuNetdev netdev) {
        return List.of("-listen-qemu", netdev.gvproxyListenQemu(), "-ssh-port", "-1");
    }
}
