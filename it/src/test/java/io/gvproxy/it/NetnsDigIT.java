package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.dns.DnsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * dig, in a network-namespace guest, asks gvproxy's DNS server at the gateway, each question over UDP and again
 * over TCP (the guest kernel's TCP against gvproxy's stack), with the same answer both ways. Names gvproxy
 * forwards go to a {@link FakeDnsServer} on 127.0.0.1 (so the host's resolvers are never used), and each answer
 * must equal what dig gets asking that server directly from the host. Local zones answer by themselves.
 *
 * <p>Regexp records, default-address zones and zones added at runtime go in through the HTTP API
 * ({@code -listen}, {@code POST /services/dns/add}) while the guest is up and asking.
 */
class NetnsDigIT {
    private static final String GATEWAY = Rig.GATEWAY_IP;
    private static final String[] FORWARDED_TYPES = {"A", "AAAA", "MX", "TXT", "SRV", "SOA"};
    private static final String WEB_IP = "192.168.127.50";
    private static final String WEB_FIRST_IP = "192.168.127.51";
    private static final String DEFAULT_IP = "192.168.127.60";
    private static final String LATE_IP = "192.168.127.70";

    @Test
    void gvproxyAnswersLocalNamesAndForwardsTheRestUnchanged() {
        NetnsRig rig = NetnsRig.require("dig");
        Path runDir = rig.runDir("netns-dig");
        try (ShortTempDir sockets = ShortTempDir.create(); FakeDnsServer dns = new FakeDnsServer()) {
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            List<String> flags = new ArrayList<>(uplink.gvproxyFlags());
            flags.addAll(List.of("-ssh-port", "-1", "-dns-server", dns.address()));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(uplink.socket()), flags);
                 NetnsGuest guest = NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24")) {
                assertRecord(ask(guest, "host.containers.internal", "A"), "host.containers.internal.", "A",
                        "192.168.127.254");
                assertRecord(ask(guest, "GATEWAY.Containers.Internal", "A"), "GATEWAY.Containers.Internal.", "A",
                        GATEWAY);
                Dig.Answer missing = ask(guest, "missing.containers.internal", "A");
                assertEquals("NXDOMAIN", missing.status(), "a missing local name: " + missing);
                assertTrue(missing.records().isEmpty(), "no answer for a missing name: " + missing);

                List<String> seen = new ArrayList<>();
                for (String type : FORWARDED_TYPES) {
                    seen.add(assertForwardedSame(guest, dns, FakeDnsServer.ZONE, type));
                }
                seen.add(assertForwardedSame(guest, dns, FakeDnsServer.PTR_NAME, "PTR"));
                Dig.Answer nx = direct(dns, "missing." + FakeDnsServer.ZONE, "A");
                assertEquals("NXDOMAIN", nx.status(), "the fake server's NXDOMAIN: " + nx);
                assertEquals(nx, ask(guest, "missing." + FakeDnsServer.ZONE, "A"), "a forwarded NXDOMAIN");
                int tcpBefore = dns.tcpQueries.get();
                Dig.Answer big = direct(dns, FakeDnsServer.BIG_NAME, "TXT", "+bufsize=4096");
                assertEquals(FakeDnsServer.BIG_TXT_COUNT, big.records().size(), "dig direct retried over TCP: " + big);
                int tcpDirect = dns.tcpQueries.get();
                assertTrue(tcpDirect > tcpBefore, "dig direct got TC over UDP and asked again over TCP");
                assertEquals(big, ask(guest, FakeDnsServer.BIG_NAME, "TXT", "+bufsize=4096"),
                        "an answer the fake server only gives over TCP, through gvproxy in one fragmented UDP reply");
                assertTrue(dns.tcpQueries.get() > tcpDirect, "gvproxy retried the truncated answer over TCP");
                Dig.Answer retried = askOver(guest, false, FakeDnsServer.BIG_NAME, "TXT");
                assertEquals(big, retried, "dig's default 1232-byte EDNS size: gvproxy truncates, dig retries over "
                        + "TCP to the gateway");
                seen.add(big.records().size() + " TXT records of " + FakeDnsServer.BIG_NAME);
                System.out.println("dig through gvproxy equals dig direct:\n" + String.join("\n", seen));

                assertTrue(guest.pumpAlive(), "the tap pump ended early");
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
            }
        }
    }

    @Test
    void regexpRecordsDefaultAddressZonesAndZonesAddedAtRuntime() throws InterruptedException {
        NetnsRig rig = NetnsRig.require("dig", "curl");
        Path runDir = rig.runDir("netns-dig-zones");
        try (ShortTempDir sockets = ShortTempDir.create(); FakeDnsServer dns = new FakeDnsServer()) {
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            Path api = sockets.resolve("api.sock");
            List<String> flags = new ArrayList<>(uplink.gvproxyFlags());
            flags.addAll(List.of("-ssh-port", "-1", "-dns-server", dns.address(), "-listen", "unix://" + api));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(uplink.socket()), flags);
                 NetnsGuest guest = NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24")) {
                awaitSocket(api);
                Dig.Answer before = ask(guest, "late.runtime.test", "A");
                assertEquals(direct(dns, "late.runtime.test", "A"), before,
                        "before the zone exists the name is forwarded (the fake server refuses it)");
                assertEquals("REFUSED", before.status(), "forwarded before the zone exists: " + before);

                addZone(api, "{\"Name\":\"apps.test.\",\"Records\":[{\"Regexp\":\"^web-[0-9]+$\",\"IP\":\""
                        + WEB_IP + "\"}]}");
                addZone(api, "{\"Name\":\"any.test.\",\"DefaultIP\":\"" + DEFAULT_IP + "\"}");
                addZone(api, "{\"Name\":\"runtime.test.\",\"Records\":[{\"Name\":\"late\",\"IP\":\""
                        + LATE_IP + "\"}]}");
                assertRecord(ask(guest, "web-42.apps.test", "A"), "web-42.apps.test.", "A", WEB_IP);
                Dig.Answer notMatched = ask(guest, "db.apps.test", "A");
                assertEquals("NXDOMAIN", notMatched.status(), "no record matches and no default: " + notMatched);
                assertRecord(ask(guest, "anything.any.test", "A"), "anything.any.test.", "A", DEFAULT_IP);
                assertRecord(ask(guest, "deep.name.any.test", "A"), "deep.name.any.test.", "A", DEFAULT_IP);
                assertRecord(ask(guest, "late.runtime.test", "A"), "late.runtime.test.", "A", LATE_IP);
                Dig.Answer other = ask(guest, "other.runtime.test", "A");
                assertEquals("NXDOMAIN", other.status(), "the new zone holds only 'late': " + other);

                // Upstream's addZone for an existing name puts the new records before the old ones.
                addZone(api, "{\"Name\":\"apps.test.\",\"Records\":[{\"Name\":\"web-1\",\"IP\":\""
                        + WEB_FIRST_IP + "\"}]}");
                assertRecord(ask(guest, "web-1.apps.test", "A"), "web-1.apps.test.", "A", WEB_FIRST_IP);
                assertRecord(ask(guest, "web-2.apps.test", "A"), "web-2.apps.test.", "A", WEB_IP);

                assertForwardedSame(guest, dns, FakeDnsServer.ZONE, "TXT");
                assertTrue(guest.pumpAlive(), "the tap pump ended early");
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
            }
        }
    }

    private static void addZone(Path api, String json) {
        String status = HostCommand.text(List.of("curl", "-sS", "--max-time", "10", "--unix-socket", api.toString(),
                "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://unix/services/dns/add", "-d", json));
        assertEquals("200", status, "POST /services/dns/add " + json);
    }

    private static void awaitSocket(Path api) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!new Listener.UnixSocket(api).isListening()) {
            assertTrue(System.nanoTime() < deadline, "no API socket at " + api);
            Thread.sleep(50);
        }
    }

    /** Asks over UDP and over TCP ({@code dig +tcp}); both answers must be the same. */
    private static Dig.Answer ask(NetnsGuest guest, String name, String type, String... options) {
        Dig.Answer udp = askOver(guest, false, name, type, options);
        Dig.Answer tcp = askOver(guest, true, name, type, options);
        assertEquals(udp, tcp, name + " " + type + ": the answer over TCP differs from the one over UDP");
        return udp;
    }

    private static Dig.Answer askOver(NetnsGuest guest, boolean tcp, String name, String type, String... options) {
        NetnsGuest.Result result = guest.exec(Dig.command(GATEWAY, 53, tcp, name, type, options)
                .toArray(String[]::new));
        assertTrue(result.ok(), "dig " + (tcp ? "+tcp " : "") + name + " " + type + " in " + guest.namespace()
                + ": " + result);
        return Dig.parse(result.output());
    }

    private static Dig.Answer direct(FakeDnsServer dns, String name, String type, String... options) {
        return Dig.parse(HostCommand.text(Dig.command("127.0.0.1", dns.port(), false, name, type, options)));
    }

    /** The same answer through gvproxy as from the server directly, which must be a real answer. */
    private static String assertForwardedSame(NetnsGuest guest, FakeDnsServer dns, String name, String type) {
        Dig.Answer expected = direct(dns, name, type);
        assertEquals("NOERROR", expected.status(), "the fake server for " + name + " " + type + ": " + expected);
        assertFalse(expected.records().isEmpty(), "the fake server has a " + type + " for " + name);
        Dig.Answer viaGateway = ask(guest, name, type);
        assertEquals(expected, viaGateway, name + " " + type + " through gvproxy");
        return viaGateway.records().getFirst();
    }

    /**
     * A local answer: NOERROR and exactly one record {@code owner TTL IN type value}, the owner as asked, the TTL
     * the DNS server's default config gives local answers (upstream always says 0).
     */
    private static void assertRecord(Dig.Answer answer, String owner, String type, String value) {
        assertEquals("NOERROR", answer.status(), owner + ": " + answer);
        assertEquals(1, answer.records().size(), owner + ": " + answer);
        String[] f = answer.records().getFirst().split(" ");
        String ttl = Integer.toString(DnsConfig.DEFAULT_TTL_SECONDS);
        assertTrue(f.length == 5 && f[0].equals(owner) && f[1].equals(ttl) && f[2].equals("IN") && f[3].equals(type)
                && f[4].equals(value), owner + " " + type + " " + value + " expected: " + answer);
    }
}
