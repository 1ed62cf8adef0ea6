package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One gvproxy process serves two QEMU boots in a row on the same unix socket: after the first
 * guest powers off (its stream hits EOF), gvproxy keeps running and the next guest works too.
 */
class GuestReconnectIT {
    private static final List<String> CHECKS = List.of("netdev", "static", "arp", "ping");
    /** Upstream gvproxy exits within milliseconds of a qemu EOF; a second is ample to see that. */
    private static final Duration STAY_UP = Duration.ofSeconds(1);

    @Test
    void secondGuestWorksOnSameGvproxy() {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("reconnect");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            GuestSpec spec = GuestSpec.checks(CHECKS.toArray(String[]::new)).param("ip", Rig.GUEST_IP);
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev),
                    QemuGatewayIT.qemuFlags(netdev))) {
                QemuGuest.run(rig, runDir, "first", netdev, spec).assertPassed(CHECKS);
                assertFalse(gvproxy.exitsWithin(STAY_UP), "gvproxy exited after the first guest left\n" + gvproxy.logText());

                GuestResult second = QemuGuest.run(rig, runDir, "second", netdev, spec);
                second.assertPassed(CHECKS);
                System.out.println("second guest ping: " + second.check("ping").orElseThrow().detail());

                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
            }
        }
    }
}
