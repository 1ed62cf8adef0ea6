package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The namespace rig itself: commands run inside the namespace and are killed at their limit, and the
 * namespace and the pump are gone after close, also when the pump cannot reach gvproxy.
 */
class NetnsGuestIT {
    @Test
    void execRunsInsideTheNamespaceAndCloseRemovesIt() {
        NetnsRig rig = NetnsRig.require();
        Path runDir = rig.runDir("netns-guest");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            List<String> flags = List.of("-listen-vpnkit", "unix://" + uplink.socket(), "-ssh-port", "-1");
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(uplink.socket()), flags)) {
                NetnsGuest guest = NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24");
                String namespace = guest.namespace();
                try {
                    assertTrue(namespaces().contains(namespace), "namespace " + namespace + " exists while running");
                    NetnsGuest.Result links = guest.exec("ip", "-o", "link", "show");
                    assertTrue(links.ok(), links.toString());
                    assertEquals(2, links.output().lines().count(), "only lo and the tap inside: " + links);
                    NetnsGuest.Result tap = guest.exec("ip", "-o", "addr", "show", "dev", NetnsGuest.TAP);
                    assertTrue(tap.output().contains(Rig.GUEST_IP + "/24"), tap.toString());
                    NetnsGuest.Result route = guest.exec("ip", "route", "show", "default");
                    assertTrue(route.output().contains("via " + Rig.GATEWAY_IP), route.toString());
                    NetnsGuest.Result mac = guest.exec("cat", "/sys/class/net/" + NetnsGuest.TAP + "/address");
                    assertEquals(guest.mac().toString(), mac.output().strip());

                    long before = System.nanoTime();
                    NetnsGuest.Result slow = guest.exec(Duration.ofSeconds(1), "sleep", "30");
                    assertTrue(slow.timedOut(), slow.toString());
                    assertTrue(System.nanoTime() - before < Duration.ofSeconds(10).toNanos(), "killed at its limit");

                    Process server = guest.spawn("sleeper", "sleep", "60");
                    assertTrue(server.isAlive());
                    guest.close();
                    assertFalse(server.isAlive(), "close kills what spawn started");
                    assertFalse(guest.pumpAlive(), "close ends the pump");
                    assertFalse(namespaces().contains(namespace), "close deletes " + namespace);
                } finally {
                    guest.close();
                }
            }
        }
    }

    @Test
    void failedStartLeavesNoNamespace() {
        NetnsRig rig = NetnsRig.require();
        Path runDir = rig.runDir("netns-guest-failed");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            List<String> before = ownNamespaces();
            NetnsUplink nobody = NetnsUplink.vpnkit(sockets.resolve("nobody-listens.sock"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> NetnsGuest.start(runDir, "guest", nobody, Rig.GUEST_IP + "/24"));
            assertTrue(e.getMessage().contains("tap pump"), e.getMessage());
            assertEquals(before, ownNamespaces(), "the namespace of the failed start is deleted");
        }
    }

    private static List<String> namespaces() {
        return HostCommand.text(List.of("ip", "netns", "list")).lines()
                .map(l -> l.split(" ")[0]).toList();
    }

    private static List<String> ownNamespaces() {
        String prefix = "gvt-" + ProcessHandle.current().pid() + "-";
        return namespaces().stream().filter(n -> n.startsWith(prefix)).toList();
    }
}
