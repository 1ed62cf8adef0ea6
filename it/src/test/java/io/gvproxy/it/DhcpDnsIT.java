package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real guests lease their address from gvproxy's DHCP server with busybox udhcpc and resolve names through its
 * DNS server with busybox nslookup: local zones answered by gvproxy, everything else forwarded to a fake
 * nameserver the test runs on 127.0.0.1 (passed with -dns-server, so the host's resolvers are never used).
 */
class DhcpDnsIT {
    /** Not the default guest MAC, whose static lease is 192.168.127.2. */
    static final String FIRST_DYNAMIC_MAC = "5a:94:ef:e4:0c:ef";
    static final String FIRST_DYNAMIC_IP = "192.168.127.3";
    static final String SECOND_DYNAMIC_MAC = "5a:94:ef:e4:0c:f0";
    static final String SECOND_DYNAMIC_IP = "192.168.127.4";

    private static List<String> flags(QemuNetdev netdev, FakeDnsServer dns, String... more) {
        List<String> flags = new ArrayList<>(QemuGatewayIT.qemuFlags(netdev));
        flags.addAll(List.of("-dns-server", dns.address(), "-dns-search", "containers.internal"));
        flags.addAll(List.of(more));
        return flags;
    }

    private static void stop(GvproxyProcess gvproxy) {
        GvproxyProcess.Exit exit = gvproxy.stop();
        assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
    }

    private static void assertContains(String detail, String... parts) {
        for (String p : parts) {
            assertTrue(detail.contains(p), "missing '" + p + "' in: " + detail);
        }
    }

    @Test
    void guestLeasesAddressAndResolvesLocalAndForwardedNames() {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("dhcp-dns");
        try (ShortTempDir sockets = ShortTempDir.create(); FakeDnsServer dns = new FakeDnsServer()) {
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev), flags(netdev, dns))) {
                List<String> checks = List.of("netdev", "dhcp", "dnslocal", "dnsfwd", "ping");
                GuestResult result = QemuGuest.run(rig, runDir, "guest", netdev,
                        GuestSpec.checks(checks.toArray(String[]::new))
                                .param("dhcp_search", "containers.internal")
                                .param("dns_name", FakeDnsServer.ZONE)
                                .param("dns_ptr", FakeDnsServer.PTR_NAME)
                                .param("dns_types", "a,aaaa,mx,txt,srv,ptr,soa"));
                result.assertPassed(checks);
                String lease = result.check("dhcp").orElseThrow().detail();
                assertContains(lease, "ip=192.168.127.2/24", "router=192.168.127.1", "dns=192.168.127.1",
                        "mtu=1500", "search=containers.internal", "lease=3600");
                String fwd = result.check("dnsfwd").orElseThrow().detail();
                assertContains(fwd,
                        "[a] Name: " + FakeDnsServer.ZONE + ";Address: " + FakeDnsServer.A + ";",
                        "[aaaa] Name: " + FakeDnsServer.ZONE + ";Address: " + FakeDnsServer.AAAA + ";",
                        "mail exchanger = " + FakeDnsServer.MX_PREFERENCE + " " + FakeDnsServer.MX_HOST,
                        "text = \"" + FakeDnsServer.TXT + "\"",
                        "service = " + FakeDnsServer.SRV_PRIORITY + " " + FakeDnsServer.SRV_WEIGHT + " "
                                + FakeDnsServer.SRV_PORT + " " + FakeDnsServer.SRV_TARGET,
                        FakeDnsServer.PTR_NAME + " name = " + FakeDnsServer.PTR_TARGET,
                        "origin = " + FakeDnsServer.SOA_MNAME, "mail addr = " + FakeDnsServer.SOA_RNAME,
                        "serial = " + FakeDnsServer.SOA_SERIAL);
                assertTrue(dns.queries.get() >= 7, "forwarded queries reached the fake server: " + dns.queries);
                System.out.println("dhcp: " + lease + "\ndnsfwd: " + fwd);
                stop(gvproxy);
            }
        }
    }

    @Test
    void leaseCarriesTheConfiguredMtuAndDnsWorksOverIt() {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("dhcp-mtu");
        try (FakeDnsServer dns = new FakeDnsServer()) {
            QemuNetdev netdev = QemuNetdev.tcpSocket(FreePort.loopback());
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev),
                    flags(netdev, dns, "-mtu", "4000"))) {
                List<String> checks = List.of("netdev", "dhcp", "dnslocal", "ping");
                GuestResult result = QemuGuest.run(rig, runDir, "guest", netdev,
                        GuestSpec.checks(checks.toArray(String[]::new)).param("dhcp_mtu", "4000"));
                result.assertPassed(checks);
                assertContains(result.check("dhcp").orElseThrow().detail(), "mtu=4000");
                stop(gvproxy);
            }
        }
    }

    /**
     * gvproxy's QEMU listener takes one VM at a time (as upstream), so the guests come one after the other: a
     * guest with a MAC of its own gets the first dynamic address; the next MAC gets the one after, because the
     * first lease outlives its guest's connection; that guest releases its lease and gets the same address back.
     */
    @Test
    void nextMacGetsNextAddressWhileEarlierLeaseIsHeldAndReleaseWorks() {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("dhcp-two-guests");
        try (ShortTempDir sockets = ShortTempDir.create(); FakeDnsServer dns = new FakeDnsServer()) {
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev), flags(netdev, dns))) {
                List<String> firstChecks = List.of("netdev", "dhcp");
                GuestResult first = QemuGuest.run(rig, runDir, "first", netdev,
                        GuestSpec.checks(firstChecks.toArray(String[]::new)).mac(FIRST_DYNAMIC_MAC)
                                .param("dhcp_ip", FIRST_DYNAMIC_IP));
                first.assertPassed(firstChecks);
                List<String> secondChecks = List.of("netdev", "dhcp", "dhcprelease");
                GuestResult second = QemuGuest.run(rig, runDir, "second", netdev,
                        GuestSpec.checks(secondChecks.toArray(String[]::new)).mac(SECOND_DYNAMIC_MAC)
                                .param("dhcp_ip", SECOND_DYNAMIC_IP));
                second.assertPassed(secondChecks);
                assertContains(first.check("dhcp").orElseThrow().detail(), "ip=" + FIRST_DYNAMIC_IP + "/24");
                assertContains(second.check("dhcp").orElseThrow().detail(), "ip=" + SECOND_DYNAMIC_IP + "/24");
                assertContains(second.check("dhcprelease").orElseThrow().detail(),
                        "released " + SECOND_DYNAMIC_IP + ", then leased " + SECOND_DYNAMIC_IP);
                stop(gvproxy);
            }
        }
    }
}
