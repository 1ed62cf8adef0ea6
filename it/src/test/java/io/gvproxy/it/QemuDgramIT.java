package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.ffm.NativeException;
import io.gvproxy.ffm.VfkitHello;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * QEMU's {@code -netdev dgram} (one unix datagram per frame) against {@code -listen-vfkit
 * unixgram://}: gvproxy learns the VM's address from the first datagram. Without a hello that is
 * the guest's first frame (upstream before v0.8.8 failed here); with the {@code VFKT} hello sent
 * from QEMU's future local path first, the hello is consumed. A third guest leases its address, resolves and
 * downloads through the NAT ({@link NatGuestChecks}).
 */
class QemuDgramIT {
    @Test
    void dgramGuestReachesGatewayWithoutHello() {
        runDgramGuest("qemu-dgram", false);
    }

    @Test
    void dgramGuestReachesGatewayAfterVfktHello() {
        runDgramGuest("qemu-dgram-hello", true);
    }

    @Test
    void dgramGuestLeasesResolvesAndDownloadsThroughTheNat() {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("qemu-dgram-nat");
        try (ShortTempDir sockets = ShortTempDir.create(); HostFileServer server = NatGuestChecks.fileServer()) {
            Path proxy = sockets.resolve("proxy.dgram");
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, new Listener.UnixSocket(proxy),
                    vfkitFlags(proxy))) {
                GuestSpec spec = NatGuestChecks.spec(server);
                GuestResult result = QemuGuest.run(runDir, "guest", spec,
                        QemuGuest.qemuCommand(rig, netdev(sockets.resolve("vm.dgram"), proxy), spec));
                NatGuestChecks.assertPassed(result, server, "unixgram (QEMU dgram)");
                GatewayChecks.assertCleanStop(gvproxy);
            }
        }
    }

    private static List<String> vfkitFlags(Path proxy) {
        return List.of("-listen-vfkit", "unixgram://" + proxy, "-ssh-port", "-1");
    }

    private static String netdev(Path vm, Path proxy) {
        return "dgram,id=n0,local.type=unix,local.path=" + vm + ",remote.type=unix,remote.path=" + proxy;
    }

    private static void runDgramGuest(String name, boolean hello) {
        Rig rig = Rig.require();
        Path runDir = rig.runDir(name);
        try (ShortTempDir sockets = ShortTempDir.create()) {
            Path proxy = sockets.resolve("proxy.dgram");
            Path vm = sockets.resolve("vm.dgram");
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, new Listener.UnixSocket(proxy),
                    vfkitFlags(proxy))) {
                if (hello) {
                    VfkitHello.send(vm, proxy);
                }
                GuestSpec spec = GatewayChecks.spec();
                GuestResult result = QemuGuest.run(runDir, "guest", spec, QemuGuest.qemuCommand(rig, netdev(vm, proxy), spec));
                GatewayChecks.assertReached(result, "unixgram" + (hello ? " after VFKT" : ""));
                assertTrue(gvproxy.logText().contains("vfkit: VM connected from " + vm), gvproxy.logText());
                GatewayChecks.assertCleanStop(gvproxy);
            } catch (NativeException e) {
                throw new AssertionError("sending the VFKT hello: " + e.getMessage(), e);
            }
        }
    }
}
