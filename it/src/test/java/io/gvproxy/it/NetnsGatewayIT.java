package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.net.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The host kernel, in a network namespace behind a tap, on gvproxy's virtual network: it ARP-resolves
 * the gateway to 5a:94:ef:e4:0c:dd, pings it with 0 % loss, and gets no ARP answer for an unused
 * address. Once over -listen-vpnkit (handshake, HyperKit framing) and once over -listen-qemu.
 */
class NetnsGatewayIT {
    private static final String UNUSED_IP = "192.168.127.77";
    private static final Pattern LOSS = Pattern.compile("(\\d+(?:\\.\\d+)?)% packet loss");

    @Test
    void vpnkitNamespaceGuestReachesGateway() {
        NetnsRig rig = NetnsRig.require("ping");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            MacAddress mac = checkGateway(rig, rig.runDir("netns-gateway-vpnkit"), uplink);
            assertTrue(mac.equals(MacAddress.parse(Rig.GUEST_MAC)),
                    "the default VPNKit UUID must get the MAC upstream maps it to, got " + mac);
        }
    }

    @Test
    void qemuFramedNamespaceGuestReachesGateway() {
        NetnsRig rig = NetnsRig.require("ping");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            NetnsUplink uplink = NetnsUplink.qemu(sockets.resolve("qemu.sock"), MacAddress.parse(Rig.GUEST_MAC));
            checkGateway(rig, rig.runDir("netns-gateway-qemu"), uplink);
        }
    }

    private static MacAddress checkGateway(NetnsRig rig, Path runDir, NetnsUplink uplink) {
        List<String> flags = new ArrayList<>(uplink.gvproxyFlags());
        flags.addAll(List.of("-ssh-port", "-1"));
        try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                new Listener.UnixSocket(uplink.socket()), flags);
             NetnsGuest guest = NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24")) {
            NetnsGuest.Result ping = guest.exec("ping", "-c", "10", "-i", "0.2", "-W", "2", Rig.GATEWAY_IP);
            assertTrue(ping.ok() && lossPercent(ping.output()) == 0.0, "ping gateway: " + ping + logs(gvproxy));
            System.out.println(uplink.gvproxyFlags().getFirst() + " namespace ping: " + summary(ping.output()));

            NetnsGuest.Result neigh = guest.exec("ip", "neigh", "show", Rig.GATEWAY_IP, "dev", NetnsGuest.TAP);
            assertTrue(neigh.ok() && neigh.output().contains("lladdr " + Rig.GATEWAY_MAC),
                    "the kernel's neighbour entry for the gateway: " + neigh);

            NetnsGuest.Result unused = guest.exec("ping", "-c", "2", "-i", "0.5", "-W", "1", UNUSED_IP);
            assertFalse(unused.ok(), "ping to the unused " + UNUSED_IP + " must fail: " + unused);
            NetnsGuest.Result unusedNeigh = guest.exec("ip", "neigh", "show", UNUSED_IP, "dev", NetnsGuest.TAP);
            assertFalse(unusedNeigh.output().contains("lladdr"),
                    "nothing may answer ARP for " + UNUSED_IP + ": " + unusedNeigh);
            assertTrue(unusedNeigh.output().contains("FAILED") || unusedNeigh.output().contains("INCOMPLETE"),
                    "the kernel must have tried to resolve " + UNUSED_IP + ": " + unusedNeigh);

            assertTrue(guest.pumpAlive(), "the tap pump ended early");
            GvproxyProcess.Exit exit = gvproxy.stop();
            assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
            return guest.mac();
        }
    }

    /** The loss iputils ping reports; 100 when it printed no summary. */
    static double lossPercent(String pingOutput) {
        Matcher m = LOSS.matcher(pingOutput);
        return m.find() ? Double.parseDouble(m.group(1)) : 100.0;
    }

    static String summary(String pingOutput) {
        return pingOutput.lines().filter(l -> l.contains("packet loss") || l.startsWith("rtt"))
                .reduce((a, b) -> a + "; " + b).orElse("(no summary)");
    }

    private static String logs(GvproxyProcess gvproxy) {
        return "\n--- " + gvproxy.log() + " ---\n" + gvproxy.logText();
    }
}
