package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two guests on one gvproxy -listen-vpnkit, each after its own VPNKit handshake, ping each other
 * through the switch: the host kernel in a namespace (192.168.127.2, the default UUID's MAC) and a
 * {@link JvmGuest} (192.168.127.3, the random MAC gvproxy hands a new UUID). The kernel resolves the
 * JVM guest by ARP and pings it with 0 % loss; the JVM guest pings the kernel and counts every reply.
 */
class VpnkitPeersIT {
    private static final String PEER_IP = "192.168.127.3";
    private static final int COUNT = 10;

    @Test
    void namespaceGuestAndJvmGuestPingEachOther() throws Exception {
        NetnsRig rig = NetnsRig.require("ping");
        var runDir = rig.runDir("vpnkit-peers");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            List<String> flags = List.of("-listen-vpnkit", "unix://" + uplink.socket(), "-ssh-port", "-1");
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(uplink.socket()), flags);
                 NetnsGuest kernel = NetnsGuest.start(runDir, "kernel", uplink, Rig.GUEST_IP + "/24");
                 JvmGuest jvm = JvmGuest.overVpnkit("jvm", uplink.socket(), UUID.randomUUID().toString(), PEER_IP)) {
                assertTrue(jvm.mac().toString().matches("[0-9a-f][26ae](:[0-9a-f]{2}){5}"),
                        "a new UUID gets a locally administered unicast MAC: " + jvm.mac());

                NetnsGuest.Result ping = kernel.exec("ping", "-c", String.valueOf(COUNT), "-i", "0.2", "-W", "2", PEER_IP);
                assertTrue(ping.ok() && NetnsGatewayIT.lossPercent(ping.output()) == 0.0,
                        "kernel -> JVM guest: " + ping + "\n" + jvm.stats());
                NetnsGuest.Result neigh = kernel.exec("ip", "neigh", "show", PEER_IP, "dev", NetnsGuest.TAP);
                assertTrue(neigh.output().contains("lladdr " + jvm.mac()),
                        "the kernel resolved " + PEER_IP + " to the JVM guest's MAC " + jvm.mac() + ": " + neigh);
                assertTrue(jvm.echoRequestsAnswered() >= COUNT, jvm.stats());
                assertTrue(jvm.arpRequestsAnswered() >= 1, jvm.stats());

                int replies = jvm.ping(Rig.GUEST_IP, COUNT, Duration.ofMillis(100), Duration.ofSeconds(5));
                assertEquals(COUNT, replies, "JVM guest -> kernel echo replies; " + jvm.stats());
                assertEquals(kernel.mac(), jvm.resolve(Rig.GUEST_IP, Duration.ZERO).orElseThrow(),
                        "the JVM guest's ARP entry for the kernel guest");
                System.out.println("vpnkit peers: kernel->jvm " + NetnsGatewayIT.summary(ping.output())
                        + "; jvm->kernel " + replies + "/" + COUNT + " replies");

                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
            }
        }
    }
}
