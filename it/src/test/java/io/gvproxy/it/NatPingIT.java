package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A namespace guest pings through the ICMP echo NAT of gvproxy (which dials 127.0.0.0/8 only). First with
 * {@code net.ipv4.ping_group_range} at "1 0": no reply, and gvproxy says once that echo forwarding is off. Then
 * with the range holding gvproxy's group, in the same gvproxy: 192.168.127.254 (the host's 127.0.0.1) answers with
 * real round-trip times, a destination outside the egress policy gets no reply and is counted, and a missing
 * neighbour on a veth this test makes (10.203.0.0/24, its peer in a namespace of the test's own) comes back as
 * the host's "destination host unreachable", relayed to the guest. The host's sysctl is restored to its original
 * value afterwards (finally, and again after all tests); the veth goes with its namespace.
 */
class NatPingIT {
    private static final Path PING_GROUP_RANGE = Path.of("/proc/sys/net/ipv4/ping_group_range");
    private static final String HOST = "192.168.127.254";
    private static final String OFF_LINE = "ICMP echo forwarding is off";
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");
    private static final String VETH_NET = "10.203.0.0/24";
    private static final String VETH_HOST = "10.203.0.1";
    private static final String MISSING = "10.203.0.3";
    private static String original;

    private static String readRange() throws IOException {
        // procfs reports a size of 0, which Files.readString trusts
        try (InputStream in = Files.newInputStream(PING_GROUP_RANGE)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().replaceAll("\\s+", " ");
        }
    }

    private static void writeRange(String range) throws IOException {
        Files.writeString(PING_GROUP_RANGE, range);
        assertEquals(range, readRange(), "ping_group_range");
    }

    @AfterAll
    static void restoreRange() throws IOException {
        if (original != null && !original.equals(readRange())) {
            writeRange(original);
        }
    }

    @Test
    void guestPingsReachTheHostOnlyWhenPingSocketsAreAllowed() throws Exception {
        NetnsRig rig = NetnsRig.require("ping");
        Path runDir = rig.runDir("nat-ping");
        original = readRange();
        String ns = "gvping-" + ProcessHandle.current().pid();
        String veth = "gvp" + ProcessHandle.current().pid() % 100000;
        try (ShortTempDir sockets = ShortTempDir.create()) {
            makeVeth(ns, veth);
            writeRange("1 0");
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            List<String> flags = new ArrayList<>(uplink.gvproxyFlags());
            flags.addAll(List.of("-ssh-port", "-1", "-egress-allow", "127.0.0.0/8", "-egress-allow", VETH_NET));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(uplink.socket()), flags);
                 NetnsGuest guest = NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24")) {
                NetnsGuest.Result refused = guest.exec(Duration.ofSeconds(30), "ping", "-c", "2", "-i", "0.5",
                        "-W", "2", HOST);
                assertEquals(0, received(refused), "no reply while ping sockets are refused: " + refused);
                assertEquals(1, occurrences(gvproxy.logText(), OFF_LINE), "said once:" + logs(gvproxy));
                assertTrue(gvproxy.logText().contains("net.ipv4.ping_group_range"), "names the sysctl:"
                        + logs(gvproxy));

                writeRange("0 2147483647");
                NetnsGuest.Result ping = guest.exec(Duration.ofSeconds(30), "ping", "-c", "3", "-i", "0.5", "-W",
                        "5", HOST);
                System.out.println("guest ping " + HOST + " through the NAT:\n" + ping.output());
                assertEquals(3, received(ping), "3 replies from the host's 127.0.0.1: " + ping + logs(gvproxy));
                assertTrue(ping.output().contains("rtt min/avg/max"), "round-trip times: " + ping);

                NetnsGuest.Result denied = guest.exec(Duration.ofSeconds(30), "ping", "-c", "2", "-i", "0.5",
                        "-W", "2", "10.200.0.1");
                assertEquals(0, received(denied), "no reply from a denied destination: " + denied);

                NetnsGuest.Result missing = guest.exec(Duration.ofSeconds(30), "ping", "-c", "1", "-W", "10", MISSING);
                System.out.println("guest ping of a missing neighbour:\n" + missing.output());
                assertTrue(missing.output().contains("From " + VETH_HOST) && missing.output().contains("Unreachable"),
                        "the host's unreachable relayed: " + missing + logs(gvproxy));

                assertTrue(guest.pumpAlive(), "the tap pump ended early");
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + logs(gvproxy));
                String log = gvproxy.logText();
                assertEquals(1, occurrences(log, OFF_LINE), "still said once:" + logs(gvproxy));
                assertTrue(counter(log, "nat.icmp.socket_denied") >= 2, "refused sockets counted:" + logs(gvproxy));
                assertTrue(counter(log, "nat.icmp.denied") >= 2, "the denied destination counted:" + logs(gvproxy));
                assertTrue(counter(log, "nat.icmp.replies_to_guest") >= 3, "replies counted:" + logs(gvproxy));
                assertTrue(counter(log, "nat.icmp.unreachable_relayed") >= 1, "relayed error counted:"
                        + logs(gvproxy));
            }
        } finally {
            writeRange(original);
            removeNamespace(ns);
        }
    }

    /** A veth whose host end has 10.203.0.1/24 and whose peer, up and unaddressed, lives in namespace ns. */
    private static void makeVeth(String ns, String veth) {
        HostCommand.text(List.of("ip", "netns", "add", ns));
        HostCommand.text(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "p", "netns", ns));
        HostCommand.text(List.of("ip", "addr", "add", VETH_HOST + "/24", "dev", veth));
        HostCommand.text(List.of("ip", "link", "set", veth, "up"));
        HostCommand.text(List.of("ip", "-n", ns, "link", "set", veth + "p", "up"));
    }

    /** Deleting the namespace destroys the veth peer in it, and with it the host end. */
    private static void removeNamespace(String ns) {
        if (HostCommand.text(List.of("ip", "netns", "list")).contains(ns)) {
            HostCommand.text(List.of("ip", "netns", "del", ns));
        }
    }

    private static int received(NetnsGuest.Result r) {
        Matcher m = RECEIVED.matcher(r.output());
        return m.find() ? Integer.parseInt(m.group(2)) : -1;
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    /** A counter from gvproxy's "nat counters:" line at exit; 0 when absent (only non-zero ones are logged). */
    private static long counter(String log, String name) {
        Matcher m = Pattern.compile(" " + Pattern.quote(name) + "=(\\d+)").matcher(log);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String logs(GvproxyProcess gvproxy) {
        return "\n--- " + gvproxy.log() + " ---\n" + gvproxy.logText();
    }
}
