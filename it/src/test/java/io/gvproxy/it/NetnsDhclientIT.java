package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.net.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * ISC dhclient, the DHCP client of most Debian and Ubuntu hosts, leases from gvproxy in two network-namespace
 * guests connected at once over -listen-vpnkit: the default VPNKit UUID's MAC gets its static lease .2, a new
 * UUID (a random MAC) the first dynamic address .3; both leases carry router and DNS = the gateway, the MTU
 * and the search domain. The second guest then releases its lease and requests again.
 */
class NetnsDhclientIT {
    private static final String MTU = "4000";
    private static final String SEARCH = "containers.internal";
    private static final String SECOND_IP = "192.168.127.3";

    @Test
    void twoNamespaceGuestsLeaseWithDhclientAndReleaseWorks() {
        NetnsRig rig = NetnsRig.require("dhclient", "ping");
        Path runDir = rig.runDir("netns-dhclient");
        try (ShortTempDir sockets = ShortTempDir.create(); FakeDnsServer dns = new FakeDnsServer()) {
            Path socket = sockets.resolve("vpnkit.sock");
            NetnsUplink first = NetnsUplink.vpnkit(socket);
            NetnsUplink second = NetnsUplink.vpnkit(socket, UUID.randomUUID().toString());
            List<String> flags = new ArrayList<>(first.gvproxyFlags());
            flags.addAll(List.of("-ssh-port", "-1", "-mtu", MTU, "-dns-server", dns.address(), "-dns-search", SEARCH));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(socket), flags);
                 NetnsGuest a = NetnsGuest.startUnaddressed(runDir, "first", first);
                 NetnsGuest b = NetnsGuest.startUnaddressed(runDir, "second", second);
                 Dhclient dhcpA = new Dhclient(a, runDir, "first");
                 Dhclient dhcpB = new Dhclient(b, runDir, "second")) {
                assertEquals(MacAddress.parse(Rig.GUEST_MAC), a.mac(), "the default UUID's MAC");
                assertFalse(b.mac().equals(a.mac()), "a new UUID gets another MAC: " + b.mac());

                String leaseA = lease(dhcpA, a, gvproxy);
                assertLease(leaseA, Rig.GUEST_IP);
                String leaseB = lease(dhcpB, b, gvproxy);
                assertLease(leaseB, SECOND_IP);
                assertAddressed(a, Rig.GUEST_IP);
                assertAddressed(b, SECOND_IP);
                NetnsGuest.Result ping = b.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", Rig.GATEWAY_IP);
                assertTrue(ping.ok(), "ping the gateway from the leased " + SECOND_IP + ": " + ping);

                NetnsGuest.Result released = dhcpB.release();
                assertTrue(released.ok(), "dhclient -r: " + released);
                assertContains(dhcpB.last("RELEASE").orElseThrow(() -> new AssertionError(
                        "the script saw no RELEASE: " + dhcpB.records() + "\n" + released)), "old_ip=" + SECOND_IP);
                NetnsGuest.Result after = b.exec("ip", "-4", "addr", "show", "dev", NetnsGuest.TAP);
                assertFalse(after.output().contains(SECOND_IP + "/"), "released address left on the tap: " + after);

                String again = lease(dhcpB, b, gvproxy);
                assertLease(again, SECOND_IP);
                assertAddressed(b, SECOND_IP);
                assertAddressed(a, Rig.GUEST_IP);
                System.out.println("dhclient first: " + leaseA + "\ndhclient second: " + leaseB
                        + "\ndhclient second after release: " + again);

                assertTrue(a.pumpAlive() && b.pumpAlive(), "a tap pump ended early");
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
            }
        }
    }

    private static String lease(Dhclient dhclient, NetnsGuest guest, GvproxyProcess gvproxy) {
        int before = dhclient.records().size();
        NetnsGuest.Result result = dhclient.obtain();
        List<String> records = dhclient.records();
        assertTrue(result.ok() && records.size() > before, "dhclient in " + guest.namespace() + ": " + result
                + "\nscript records: " + records + "\n--- gvproxy ---\n" + gvproxy.logText());
        return records.getLast();
    }

    private static void assertLease(String record, String ip) {
        assertContains(record, "reason=BOUND ", "ip=" + ip + " ", "mask=255.255.255.0 ",
                "routers=" + Rig.GATEWAY_IP + " ", "dns=" + Rig.GATEWAY_IP + " ", "mtu=" + MTU + " ", "search=" + SEARCH, "server=" + Rig.GATEWAY_IP);
    }

    private static void assertAddressed(NetnsGuest guest, String ip) {
        NetnsGuest.Result addr = guest.exec("ip", "-4", "addr", "show", "dev", NetnsGuest.TAP);
        assertTrue(addr.ok() && addr.output().contains("inet " + ip + "/24"), ip + " on the tap: " + addr);
        NetnsGuest.Result link = guest.exec("ip", "link", "show", "dev", NetnsGuest.TAP);
        assertTrue(link.output().contains("mtu " + MTU + " "), "the tap's MTU: " + link);
    }

    private static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "missing '" + p + "' in: " + text);
        }
    }
}
