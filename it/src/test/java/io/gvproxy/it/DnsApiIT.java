package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API on {@code -listen unix://...} changes what a real guest sees: a zone added with curl before the
 * guest boots answers the guest's busybox nslookup (by name, by a regexp over the labels left of the zone as
 * upstream matches it, and by the zone's default address), and {@code /leases} then lists the address the guest
 * took with udhcpc.
 */
class DnsApiIT {
    private static final String GUEST_MAC = DhcpDnsIT.FIRST_DYNAMIC_MAC;
    private static final String GUEST_IP = DhcpDnsIT.FIRST_DYNAMIC_IP;
    /**
     * Records in order: a name, a regexp over the whole query name (which upstream never matches, because it
     * matches the labels left of the zone only, so api-x must skip it), a regexp over those labels; then a default.
     */
    private static final String ZONE = "{\"Name\":\"test.internal.\",\"Records\":["
            + "{\"Name\":\"web\",\"IP\":\"192.168.127.50\"},"
            + "{\"Regexp\":\"^api-.*\\\\.test\\\\.internal\\\\.$\",\"IP\":\"192.168.127.53\"},"
            + "{\"Regexp\":\"^api-\",\"IP\":\"192.168.127.51\"}],"
            + "\"DefaultIP\":\"192.168.127.52\"}";

    private static String curl(Path api, String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--unix-socket",
                api.toString()));
        cmd.addAll(List.of(args));
        return HostCommand.text(cmd);
    }

    private static void awaitSocket(Path api) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!new Listener.UnixSocket(api).isListening()) {
            assertTrue(System.nanoTime() < deadline, "no API socket at " + api);
            Thread.sleep(50);
        }
    }

    @Test
    void zoneAddedThroughApiAnswersGuestAndLeasesListGuest() throws Exception {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("dns-api");
        try (ShortTempDir sockets = ShortTempDir.create(); FakeDnsServer dns = new FakeDnsServer()) {
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            Path api = sockets.resolve("api.sock");
            List<String> flags = new ArrayList<>(QemuGatewayIT.qemuFlags(netdev));
            flags.addAll(List.of("-dns-server", dns.address(), "-listen", "unix://" + api));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev), flags)) {
                awaitSocket(api);
                assertEquals("200", curl(api, "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                        "http://unix/services/dns/add", "-d", ZONE));
                String all = curl(api, "http://unix/services/dns/all");
                assertTrue(all.endsWith(",{\"Name\":\"test.internal.\",\"Records\":[{\"Name\":\"web\","
                        + "\"IP\":\"192.168.127.50\"},{\"Name\":\"\",\"IP\":\"192.168.127.53\",\"Regexp\":"
                        + "\"^api-.*\\\\.test\\\\.internal\\\\.$\"},{\"Name\":\"\",\"IP\":\"192.168.127.51\","
                        + "\"Regexp\":\"^api-\"}],\"DefaultIP\":\"192.168.127.52\"}]\n"), all);

                List<String> checks = List.of("netdev", "dhcp", "dnszone");
                GuestResult result = QemuGuest.run(rig, runDir, "guest", netdev,
                        GuestSpec.checks(checks.toArray(String[]::new)).mac(GUEST_MAC).param("dhcp_ip", GUEST_IP)
                                .param("dns_expect", "web.test.internal=192.168.127.50,"
                                        + "api-x.test.internal=192.168.127.51,other.test.internal=192.168.127.52"));
                result.assertPassed(checks);
                System.out.println("dnszone: " + result.check("dnszone").orElseThrow().detail());

                assertEquals("{\"192.168.127.1\":\"5a:94:ef:e4:0c:dd\",\"192.168.127.2\":\"5a:94:ef:e4:0c:ee\","
                        + "\"" + GUEST_IP + "\":\"" + GUEST_MAC + "\"}\n", curl(api, "http://unix/leases"));
                assertEquals(curl(api, "http://unix/leases"), curl(api, "http://unix/services/dhcp/leases"));
                assertEquals(0, dns.queries.get(), "local zone names never reach the upstream server");
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
            }
        }
    }
}
