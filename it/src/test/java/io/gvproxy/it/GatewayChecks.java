package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** The gateway checks every transport must pass with a static address, and their assertions. */
final class GatewayChecks {
    static final List<String> CHECKS = QemuGatewayIT.GATEWAY_CHECKS;

    private GatewayChecks() {
    }

    static GuestSpec spec() {
        return GuestSpec.checks(CHECKS.toArray(String[]::new)).param("ip", Rig.GUEST_IP);
    }

    /** Every check passed and the ARP reply carried the gateway MAC; prints the ping summary. */
    static void assertReached(GuestResult result, String transport) {
        result.assertPassed(CHECKS);
        String arp = result.check("arp").orElseThrow().detail();
        assertTrue(arp.contains("is-at " + Rig.GATEWAY_MAC), "gateway ARP reply: " + arp);
        System.out.println(transport + " ping: " + result.check("ping").orElseThrow().detail());
    }

    /** gvproxy was still running and stopped cleanly on SIGTERM. */
    static void assertCleanStop(GvproxyProcess gvproxy) {
        GvproxyProcess.Exit exit = gvproxy.stop();
        assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
    }
}
