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
import org.junit.jupiter.api.Test;

/**
 * ICMP echo through gvproxy's NAT (unprivileged ping sockets on the host): a namespace guest pings the
 * {@link InternetNamespace} (10.200.0.2) and the host (192.168.127.254 = 127.0.0.1) with 0 % loss and real round
 * trips, which the internet namespace's own ICMP counters prove (its InEchos rise by the number pinged, and with
 * {@code icmp_echo_ignore_all} set there the guest gets no answer); a missing address (10.200.0.99) gets none.
 * The host's {@code net.ipv4.ping_group_range} is opened to every group for the test and restored afterwards.
 */
class NatInternetPingIT {
    private static final Path PING_GROUP_RANGE = Path.of("/proc/sys/net/ipv4/ping_group_range");
    private static final String OPEN_RANGE = "0 2147483647";
    private static final int COUNT = 5;
    private static final Pattern IN_ECHOS = Pattern.compile("^Icmp: (.*)\\nIcmp: (.*)$", Pattern.MULTILINE);

    @Test
    void guestPingsTheInternetNamespaceAndTheHostAndNotAMissingAddress() throws IOException {
        NetnsRig rig = NetnsRig.require("ping");
        Path runDir = rig.runDir("nat-internet-ping");
        String before = Files.readString(PING_GROUP_RANGE).strip();
        Files.writeString(PING_GROUP_RANGE, OPEN_RANGE);
        try (ShortTempDir sockets = ShortTempDir.create(); InternetNamespace internet = InternetNamespace.create(runDir)) {
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            List<String> flags = new ArrayList<>(uplink.gvproxyFlags());
            flags.addAll(List.of("-ssh-port", "-1", "-egress-allow", "127.0.0.0/8",
                    "-egress-allow", InternetNamespace.SUBNET));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(uplink.socket()), flags);
                 NetnsGuest guest = NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24")) {
                long echosBefore = inEchos(internet);
                NetnsGuest.Result internetPing = ping(guest, InternetNamespace.ADDRESS);
                long echosAfter = inEchos(internet);
                assertTrue(internetPing.output().contains(" 0% packet loss") && internetPing.ok(),
                        "ping " + InternetNamespace.ADDRESS + ": " + internetPing + logs(gvproxy));
                assertTrue(internetPing.output().contains("rtt min/avg/max"), "no round trips: " + internetPing);
                assertTrue(echosAfter - echosBefore >= COUNT, "the internet namespace received "
                        + (echosAfter - echosBefore) + " echo requests for " + COUNT + " pings");

                NetnsGuest.Result hostPing = ping(guest, "192.168.127.254");
                assertTrue(hostPing.output().contains(" 0% packet loss") && hostPing.ok(),
                        "ping 192.168.127.254: " + hostPing + logs(gvproxy));

                ForwarderNamespace.Result ignore = internet.exec(Duration.ofSeconds(10), "sysctl", "-w",
                        "net.ipv4.icmp_echo_ignore_all=1");
                assertTrue(ignore.ok(), "icmp_echo_ignore_all in the internet namespace: " + ignore);
                NetnsGuest.Result ignored = ping(guest, InternetNamespace.ADDRESS);
                assertFalse(ignored.ok(), "answered while the internet namespace ignores echo requests: " + ignored);
                assertTrue(ignored.output().contains("100% packet loss"), "ignored: " + ignored);

                NetnsGuest.Result missing = ping(guest, InternetNamespace.MISSING);
                assertFalse(missing.ok(), "ping of " + InternetNamespace.MISSING + " answered: " + missing);
                assertFalse(missing.output().contains(" 0% packet loss"), "missing: " + missing);

                System.out.println("nat ping " + InternetNamespace.ADDRESS + ": " + rtt(internetPing)
                        + "\nnat ping 192.168.127.254: " + rtt(hostPing));
                assertTrue(guest.pumpAlive(), "the tap pump ended early");
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + logs(gvproxy));
            }
        } finally {
            Files.writeString(PING_GROUP_RANGE, before);
        }
    }

    private static NetnsGuest.Result ping(NetnsGuest guest, String address) {
        return guest.exec(Duration.ofSeconds(COUNT + 20L), "ping", "-n", "-c", Integer.toString(COUNT), "-i", "0.2",
                "-W", "2", address);
    }

    /** The namespace's Icmp InEchos from /proc/net/snmp (a header line, then a value line). */
    private static long inEchos(InternetNamespace internet) {
        String snmp = internet.exec(Duration.ofSeconds(10), "cat", "/proc/net/snmp").output();
        Matcher m = IN_ECHOS.matcher(snmp);
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
        return ping.output().lines().filter(l -> l.contains("packet loss") || l.startsWith("rtt"))
                .reduce("", (a, b) -> a + b + "; ");
    }

    private static String logs(GvproxyProcess gvproxy) {
        return "\n--- " + gvproxy.log() + " ---\n" + gvproxy.logText();
    }
}
