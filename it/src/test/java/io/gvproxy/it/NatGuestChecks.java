package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

/**
 * What every transport's guest must do with the network gvproxy gives it: lease its address with udhcpc,
 * ping the gateway, resolve host.containers.internal at the gateway, and download a file from a server on the
 * host's 127.0.0.1 through the NAT (192.168.127.254) with an equal SHA-256.
 */
final class NatGuestChecks {
    static final List<String> CHECKS = List.of("netdev", "dhcp", "ping", "dnslocal", "httpget");
    /** Small enough for the guest's tmpfs and a TCG guest's speed, large enough for many TCP windows. */
    static final long FILE_BYTES = 4L << 20;
    static final long FILE_SEED = 7;
    /** A TCG or UML boot on the shared machine plus five checks. */
    static final Duration GUEST_LIMIT = Duration.ofMinutes(5);

    private NatGuestChecks() {
    }

    static HostFileServer fileServer() {
        return new HostFileServer(FILE_BYTES, FILE_SEED);
    }

    static GuestSpec spec(HostFileServer server) {
        return GuestSpec.checks(CHECKS.toArray(String[]::new))
                .param("http_port", Integer.toString(server.port()))
                .param("http_path", HostFileServer.PATH)
                .param("http_sha256", server.sha256())
                .timeout(GUEST_LIMIT);
    }

    /** Every check passed with the default lease and the server's bytes; prints the lease and the download. */
    static void assertPassed(GuestResult result, HostFileServer server, String transport) {
        result.assertPassed(CHECKS);
        String lease = result.check("dhcp").orElseThrow().detail();
        assertTrue(lease.contains("ip=" + Rig.GUEST_IP + "/24") && lease.contains("router=" + Rig.GATEWAY_IP),
                transport + " lease: " + lease);
        String http = result.check("httpget").orElseThrow().detail();
        assertTrue(http.contains(server.bytes() + " bytes sha256=" + server.sha256()), transport + " download: " + http);
        assertTrue(server.requests() >= 1, transport + ": the download did not reach the host's server");
        System.out.println(transport + " lease: " + lease + "\n" + transport + " download: " + http);
    }
}
