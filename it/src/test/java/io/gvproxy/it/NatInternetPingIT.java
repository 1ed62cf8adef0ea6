package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ICMP echo through gvproxy's NAT (unprivileged ping sockets on the host): a guest pings the
 * {@link InternetNamespace} (10.200.0.2) and the host (192.168.127.254 = 127.0.0.1) with 0 % loss and real round
 * trips, which the internet namespace's own ICMP counters prove (its InEchos rise by the number pinged, and with
 * {@code icmp_echo_ignore_all} set there the guest gets no answer); a missing address (10.200.0.99) gets none.
 * Once with a namespace guest (iputils ping), once with a QEMU guest (busybox ping). The host's
 * {@code net.ipv4.ping_group_range} is opened to every group for the class and restored afterwards.
 */
class NatInternetPingIT {
    private static final Path PING_GROUP_RANGE = Path.of("/proc/sys/net/ipv4/ping_group_range");
    private static final String OPEN_RANGE = "0 2147483647";
    private static final String HOST = "192.168.127.254";
    private static final int COUNT = 5;
    /**
     * The fastest of the pings through gvproxy to the internet namespace must come back within this: the kernel's
     * own round trip over the veth is about 0.05 ms, so even a loaded CI machine or a TCG guest stays far below.
     */
    private static final double MIN_RTT_LIMIT_MS = 250;
    private static final Pattern MIN_RTT = Pattern.compile("(?:rtt|round-trip) min/avg/max(?:/mdev)? = ([0-9.]+)/");
    private static final Pattern ICMP_LINES = Pattern.compile("^Icmp: (.*)\\nIcmp: (.*)$", Pattern.MULTILINE);

    private static String pingGroupRangeBefore;

    @BeforeAll
    static void openPingSockets() throws IOException {
        NetnsRig.require("ping");
        pingGroupRangeBefore = Files.readString(PING_GROUP_RANGE).strip();
        Files.writeString(PING_GROUP_RANGE, OPEN_RANGE);
    }

    @AfterAll
    static void restorePingGroupRange() throws IOException {
        if (pingGroupRangeBefore != null) {
            Files.writeString(PING_GROUP_RANGE, pingGroupRangeBefore);
        }
    }

    private static List<String> flags(List<String> listen) {
        List<String> flags = new ArrayList<>(listen);
        flags.addAll(List.of("-ssh-port", "-1", "-egress-allow", "127.0.0.0/8",
                "-egress-allow", InternetNamespace.SUBNET));
        return flags;
    }

    @Test
    void namespaceGuestPingsTheInternetAndTheHostAndNotAMissingAddress() {
        NetnsRig rig = NetnsRig.require("ping");
        Path runDir = rig.runDir("nat-internet-ping");
        try (ShortTempDir sockets = ShortTempDir.create(); InternetNamespace internet = InternetNamespace.create(runDir)) {
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(uplink.socket()), flags(uplink.gvproxyFlags()));
                 NetnsGuest guest = NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24")) {
                long echosBefore = inEchos(internet);
                NetnsGuest.Result internetPing = ping(guest, InternetNamespace.ADDRESS);
                long echos = inEchos(internet) - echosBefore;
                assertTrue(internetPing.output().contains(" 0% packet loss") && internetPing.ok(),
                        "ping " + InternetNamespace.ADDRESS + ": " + internetPing + logs(gvproxy));
                assertTrue(minRttMillis(internetPing.output()) < MIN_RTT_LIMIT_MS,
                        "slowest allowed fastest round trip " + MIN_RTT_LIMIT_MS + " ms: " + internetPing);
                assertTrue(echos >= COUNT, "the internet namespace received " + echos + " echo requests for "
                        + COUNT + " pings");

                NetnsGuest.Result hostPing = ping(guest, HOST);
                assertTrue(hostPing.output().contains(" 0% packet loss") && hostPing.ok(),
                        "ping " + HOST + ": " + hostPing + logs(gvproxy));

                ForwarderNamespace.Result kernel = ForwarderNamespace.run(List.of("ping", "-n", "-c",
                        Integer.toString(COUNT), "-i", "0.2", "-W", "2", InternetNamespace.ADDRESS));

                ignoreEchoRequests(internet);
                NetnsGuest.Result ignored = ping(guest, InternetNamespace.ADDRESS);
                assertFalse(ignored.ok(), "answered while the internet namespace ignores echo requests: " + ignored);
                assertTrue(ignored.output().contains("100% packet loss"), "ignored: " + ignored);

                NetnsGuest.Result missing = ping(guest, InternetNamespace.MISSING);
                assertFalse(missing.ok(), "ping of " + InternetNamespace.MISSING + " answered: " + missing);
                assertFalse(missing.output().contains(" 0% packet loss"), "missing: " + missing);

                System.out.println("nat ping " + InternetNamespace.ADDRESS + " through gvproxy: " + rtt(internetPing)
                        + "\nnat ping " + InternetNamespace.ADDRESS + " from the host over the veth (kernel): "
                        + rtt(kernel.output()) + "\nnat ping " + HOST + " through gvproxy: " + rtt(hostPing));
                assertTrue(guest.pumpAlive(), "the tap pump ended early");
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + logs(gvproxy));
            }
        }
    }

    @Test
    void qemuGuestPingsTheInternetAndTheHostAndNotAMissingAddress() {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("qemu-nat-ping");
        try (ShortTempDir sockets = ShortTempDir.create(); InternetNamespace internet = InternetNamespace.create(runDir)) {
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev),
                    flags(QemuGatewayIT.qemuFlags(netdev)))) {
                List<String> checks = List.of("netdev", "dhcp", "natping");
                long echosBefore = inEchos(internet);
                GuestResult result = QemuGuest.run(rig, runDir, "guest", netdev,
                        GuestSpec.checks(checks.toArray(String[]::new))
                                .param("nat_ping", InternetNamespace.ADDRESS + "," + HOST)
                                .param("nat_noping", InternetNamespace.MISSING)
                                .param("ping_count", Integer.toString(COUNT))
                                .param("check_timeout", "120").timeout(Duration.ofMinutes(6)));
                long echos = inEchos(internet) - echosBefore;
                result.assertPassed(checks);
                String detail = result.check("natping").orElseThrow().detail();
                String internetRtt = detail.substring(detail.indexOf(InternetNamespace.ADDRESS + ": "));
                assertTrue(minRttMillis(internetRtt) < MIN_RTT_LIMIT_MS,
                        "slowest allowed fastest round trip " + MIN_RTT_LIMIT_MS + " ms: " + detail);
                assertTrue(echos >= COUNT, "the internet namespace received " + echos + " echo requests for "
                        + COUNT + " pings");
                System.out.println("qemu nat ping: " + detail);
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + logs(gvproxy));
            }
        }
    }

    private static NetnsGuest.Result ping(NetnsGuest guest, String address) {
        return guest.exec(Duration.ofSeconds(COUNT + 20L), "ping", "-n", "-c", Integer.toString(COUNT), "-i", "0.2",
                "-W", "2", address);
    }

    /** The min of the first round-trip summary in {@code text} (iputils' "rtt min/..." or busybox' "round-trip min/..."). */
    private static double minRttMillis(String text) {
        Matcher m = MIN_RTT.matcher(text);
        if (!m.find()) {
            throw new AssertionError("no round-trip summary in: " + text);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void ignoreEchoRequests(InternetNamespace internet) {
        ForwarderNamespace.Result r = internet.exec(Duration.ofSeconds(10), "sh", "-c",
                "echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all");
        assertTrue(r.ok(), "icmp_echo_ignore_all in the internet namespace: " + r);
    }

    /** The namespace's Icmp InEchos from /proc/net/snmp (a header line, then a value line). */
    private static long inEchos(InternetNamespace internet) {
        String snmp = internet.exec(Duration.ofSeconds(10), "cat", "/proc/net/snmp").output();
        Matcher m = ICMP_LINES.matcher(snmp);
        if (!m.find()) {
            throw new AssertionError("no Icmp lines in /proc/net/snmp:\n" + snmp);
        }
        String[] names = m.group(1).trim().split("\\s+");
        String[] values = m.group(2).trim().split("\\s+");
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals("InEchos")) {
                return Long.parseLong(values[i]);
            }
        }
        throw new AssertionError("no InEchos in /proc/net/snmp:\n" + snmp);
    }

    private static String rtt(NetnsGuest.Result ping) {
        return rtt(ping.output());
    }

    private static String rtt(String pingOutput) {
        return pingOutput.lines().filter(l -> l.contains("packet loss") || l.startsWith("rtt"))
                .reduce("", (a, b) -> a + b + "; ");
    }

    private static String logs(GvproxyProcess gvproxy) {
        return "\n--- " + gvproxy.log() + " ---\n" + gvproxy.logText();
    }
}
