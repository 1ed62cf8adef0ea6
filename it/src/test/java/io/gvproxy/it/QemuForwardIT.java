package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Port forwarding into a real guest: busybox httpd in a QEMU guest is reached from the host through a forward the
 * host exposes with the API, through one the guest exposes itself via http://192.168.127.1/services/forwarder
 * (whose non-loopback and unix requests are refused), and through {@code /tunnel}; then
 * {@code -Dforward.it.parallel} (default 20) fetches run at once.
 */
class QemuForwardIT {
    private static final List<String> CHECKS = List.of("netdev", "static", "fwdhttpd");

    private static String curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return HostCommand.text(cmd);
    }

    /** Fetches until the body is {@code token}, bounded by {@code timeout} (the guest boots under TCG). */
    private static void awaitBody(String url, String token, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = curl(url);
                if (last.strip().equals(token)) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no " + token + " from " + url + "; last: " + last);
    }

    /** GET / through {@code /tunnel} on the unix API socket: "OK", then the guest's HTTP response. */
    private static String throughTunnel(Path api, String token) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(api));
            String req = "POST /tunnel?ip=" + Rig.GUEST_IP + "&port=8080 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET / HTTP/1.0\r\nHost: guest\r\n\r\n";
            c.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            InputStream in = Channels.newInputStream(c);
            assertArrayEquals("OK".getBytes(StandardCharsets.US_ASCII), in.readNBytes(2));
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void httpdInTheGuestThroughForwardsAndTunnel() throws Exception {
        Rig rig = Rig.require();
        Path runDir = rig.runDir("qemu-forward");
        String token = "fwd-" + UUID.randomUUID();
        int hostPort = FreePort.loopback();
        int guestExposedPort = FreePort.loopback();
        int parallel = Integer.getInteger("forward.it.parallel", 20);
        try (ShortTempDir sockets = ShortTempDir.create()) {
            QemuNetdev netdev = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            Path api = sockets.resolve("api.sock");
            List<String> flags = new ArrayList<>(QemuGatewayIT.qemuFlags(netdev));
            flags.addAll(List.of("-listen", "unix://" + api));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(netdev), flags)) {
                GuestSpec spec = GuestSpec.checks(CHECKS.toArray(String[]::new)).param("ip", Rig.GUEST_IP)
                        .param("fwd_token", token).param("fwd_guest_port", Integer.toString(guestExposedPort))
                        .param("hold", "45").param("check_timeout", "150").timeout(Duration.ofSeconds(360));
                try (QemuGuest guest = QemuGuest.start(rig, runDir, "guest", netdev, spec)) {
                    assertEquals("200", curl("--unix-socket", api.toString(), "-o", "/dev/null", "-w", "%{http_code}",
                            "-X", "POST", "http://unix/services/forwarder/expose", "-d",
                            "{\"local\":\"127.0.0.1:" + hostPort + "\",\"remote\":\"" + Rig.GUEST_IP + ":8080\"}"));
                    String hostUrl = "http://127.0.0.1:" + hostPort + "/";
                    awaitBody(hostUrl, token, Duration.ofSeconds(150));
                    awaitBody("http://127.0.0.1:" + guestExposedPort + "/", token, Duration.ofSeconds(60));
                    String tunnelled = throughTunnel(api, token);
                    assertTrue(tunnelled.startsWith("HTTP/1.") && tunnelled.contains(token), tunnelled);
                    try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, 32))) {
                        List<Future<String>> fetches = new ArrayList<>();
                        for (int i = 0; i < parallel; i++) {
                            fetches.add(pool.submit(() -> curl(hostUrl)));
                        }
                        for (Future<String> f : fetches) {
                            assertEquals(token, f.get().strip());
                        }
                    }
                    GuestResult result = guest.awaitResult();
                    result.assertPassed(CHECKS);
                    System.out.println("fwdhttpd: " + result.check("fwdhttpd").orElseThrow().detail());
                }
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
            }
        }
    }
}
