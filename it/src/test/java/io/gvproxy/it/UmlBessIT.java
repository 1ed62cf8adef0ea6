package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A User-Mode Linux guest on {@code -listen-bess unixpacket://} (UML's vector BESS transport, one
 * SOCK_SEQPACKET message per frame): static address, ARP and ping to the gateway; and a second UML
 * boot on the same gvproxy after the first one left; and a UML guest that leases its address, resolves and
 * downloads through the NAT ({@link NatGuestChecks}).
 */
class UmlBessIT {
    private static final Duration STAY_UP = Duration.ofSeconds(1);

    private static List<String> bessFlags(Path socket) {
        return List.of("-listen-bess", "unixpacket://" + socket, "-ssh-port", "-1");
    }

    @Test
    void umlGuestReachesGatewayOverBess() {
        Rig rig = Rig.require();
        Path uml = Rig.requireTool("linux.uml", "user-mode-linux");
        Path runDir = rig.runDir("uml-bess");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            Path socket = sockets.resolve("bess.sock");
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, new Listener.UnixSocket(socket),
                    bessFlags(socket))) {
                GuestResult result = UmlGuest.run(uml, rig, runDir, "uml", socket, UmlGuest.onVec0(GatewayChecks.spec()));
                GatewayChecks.assertReached(result, "unixpacket (UML bess)");
                GatewayChecks.assertCleanStop(gvproxy);
            }
        }
    }

    @Test
    void umlGuestLeasesResolvesAndDownloadsThroughTheNat() {
        Rig rig = Rig.require();
        Path uml = Rig.requireTool("linux.uml", "user-mode-linux");
        Path runDir = rig.runDir("uml-bess-nat");
        try (ShortTempDir sockets = ShortTempDir.create(); HostFileServer server = NatGuestChecks.fileServer()) {
            Path socket = sockets.resolve("bess.sock");
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, new Listener.UnixSocket(socket),
                    bessFlags(socket))) {
                GuestResult result = UmlGuest.run(uml, rig, runDir, "uml", socket,
                        UmlGuest.onVec0(NatGuestChecks.spec(server)));
                NatGuestChecks.assertPassed(result, server, "unixpacket (UML bess)");
                GatewayChecks.assertCleanStop(gvproxy);
            }
        }
    }

    @Test
    void secondUmlGuestWorksOnSameGvproxy() {
        Rig rig = Rig.require();
        Path uml = Rig.requireTool("linux.uml", "user-mode-linux");
        Path runDir = rig.runDir("uml-bess-reconnect");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            Path socket = sockets.resolve("bess.sock");
            GuestSpec spec = UmlGuest.onVec0(GatewayChecks.spec());
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, new Listener.UnixSocket(socket),
                    bessFlags(socket))) {
                GatewayChecks.assertReached(UmlGuest.run(uml, rig, runDir, "first", socket, spec), "bess first");
                assertFalse(gvproxy.exitsWithin(STAY_UP), "gvproxy exited after the first guest left\n" + gvproxy.logText());
                GatewayChecks.assertReached(UmlGuest.run(uml, rig, runDir, "second", socket, spec), "bess second");
                GatewayChecks.assertCleanStop(gvproxy);
            }
        }
    }
}
