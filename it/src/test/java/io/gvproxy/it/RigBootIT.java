package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rig without gvproxy: a guest on a peer that never answers boots, loads virtio_net, brings
 * eth0 up, runs its checks, reports an unknown check as FAIL and powers off. When the gvproxy
 * tests fail and this passes, the fault is in gvproxy, not in the rig.
 */
class RigBootIT {
    @Test
    void guestBootsRunsChecksAndPowersOff() {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("rig-boot");
        try (ShortTempDir sockets = ShortTempDir.create();
                SilentQemuPeer peer = new SilentQemuPeer(sockets.resolve("peer.sock"))) {
            GuestResult result = QemuGuest.run(rig, runDir, "guest", peer.netdev(),
                    GuestSpec.checks("netdev", "static", "arpnone", "nosuchcheck").param("ip", "192.168.127.9"));
            result.assertPassed(List.of("netdev", "static", "arpnone"));
            CheckResult unknown = result.check("nosuchcheck").orElseThrow();
            assertFalse(unknown.passed());
            assertEquals("unknown check", unknown.detail());
            assertEquals("RIG-SUMMARY pass=3 fail=1", result.summary().replaceAll(" uptime=.*", ""));
            assertEquals(0, result.exitCode(), "QEMU exit code after poweroff -f");
            assertTrue(result.check("static").orElseThrow().detail().startsWith("192.168.127.9/24 on eth0"));
            assertTrue(peer.frames() >= 2, "the guest's ARP probes reach the peer, got " + peer.frames());
            assertEquals(0, peer.malformed(), "QEMU stream framing");
        }
    }
}
