package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A UDP forward to a DNS server in a real guest, queried with dig from the host: gvproxy exposes host
 * 127.0.0.1:P/udp (and, on the same port, P/tcp: the forward table is keyed by protocol and local address) to
 * 192.168.127.2:53 in the guest, where {@link FakeDnsServer} answers with the guest kernel's UDP and TCP. The same
 * server is also asked through {@code /tunnel} on the {@code -services} socket, and the forward list is read over a
 * second {@code -listen} (tcp).
 *
 * <p>The guest is a network namespace joined by our gvforwarder, not a QEMU guest: Debian's busybox has no DNS
 * server applet, a responder compiled at test time would need gcc, which CI does not install, and a TCG boot
 * costs minutes on the 2-core CI machine; the namespace runs the rig's own FakeDnsServer on a real kernel
 * socket, behind the same /connect link a VM would use.
 */
class UdpForwardDnsIT {
    private static final int GUEST_DNS_PORT = 53;

    @Test
    void digFromTheHostReachesTheGuestsDnsServerThroughUdpAndTcpForwards() throws Exception {
        NetnsRig rig = NetnsRig.require("busybox", "dig", "curl");
        Path runDir = rig.runDir("udp-forward-dns");
        int hostPort = FreePort.loopbackTcpAndUdp();
        int apiPort = FreePort.loopback();
        try (ShortTempDir sockets = ShortTempDir.create()) {
            Path api = sockets.resolve("api.sock");
            Path services = sockets.resolve("services.sock");
            List<String> flags = List.of("-listen", "unix://" + api, "-listen", "tcp://127.0.0.1:" + apiPort,
                    "-services", "unix://" + services, "-ssh-port", "-1");
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir, new Listener.UnixSocket(api),
                    flags);
                 ForwarderGuest guest = ForwarderGuest.start(rig, runDir, api)) {
                guest.spawn("guest-dns", "LISTENING", ForwarderGuest.testMain(FakeDnsServer.class, "0.0.0.0",
                        Integer.toString(GUEST_DNS_PORT)));
                String remote = Rig.GUEST_IP + ":" + GUEST_DNS_PORT;
                for (String protocol : List.of("udp", "tcp")) {
                    ApiCurl.Response r = ApiCurl.post(api, "/services/forwarder/expose", "{\"local\":\"127.0.0.1:"
                            + hostPort + "\",\"remote\":\"" + remote + "\",\"protocol\":\"" + protocol + "\"}");
                    assertEquals(200, r.status(), protocol + " expose: " + r);
                }
                String all = ApiCurl.get(api, "/services/forwarder/all").body();
                assertEquals("[{\"local\":\"127.0.0.1:" + hostPort + "\",\"remote\":\"" + remote
                        + "\",\"protocol\":\"tcp\"},{\"local\":\"127.0.0.1:" + hostPort + "\",\"remote\":\"" + remote
                        + "\",\"protocol\":\"udp\"}]\n", all);
                // -listen is repeatable and every listener serves the same API.
                assertEquals(all, HostCommand.text(List.of("curl", "-sS", "--max-time", "10",
                        "http://127.0.0.1:" + apiPort + "/services/forwarder/all")));

                Supplier<String> context = () -> "\n--- gvproxy.log ---\n" + gvproxy.logText() + guest.logs();
                Dig.Answer a = dig(hostPort, FakeDnsServer.ZONE, "A", context);
                assertEquals("NOERROR", a.status(), a + context.get());
                assertEquals(List.of(FakeDnsServer.ZONE + ". " + FakeDnsServer.TTL + " IN A " + FakeDnsServer.A),
                        a.records());
                Dig.Answer txt = dig(hostPort, "x." + FakeDnsServer.ZONE, "TXT", context);
                assertEquals(List.of("x." + FakeDnsServer.ZONE + ". " + FakeDnsServer.TTL + " IN TXT \""
                        + FakeDnsServer.TXT + "\""), txt.records(), txt + context.get());
                assertEquals("NXDOMAIN", dig(hostPort, "missing." + FakeDnsServer.ZONE, "A", context).status());
                // The answer is too long for 512 bytes: over the UDP forward it comes back truncated (TC), and dig
                // retries over the TCP forward on the same port, as a resolver does.
                Dig.Answer big = dig(hostPort, FakeDnsServer.BIG_NAME, "TXT", context);
                assertEquals(FakeDnsServer.BIG_TXT_COUNT, big.records().size(), big + context.get());
                String udpOnly = HostCommand.textAllowingFailure(Dig.command("127.0.0.1", hostPort, false,
                        FakeDnsServer.BIG_NAME, "TXT", "+ignore"));
                Dig.Answer truncated = Dig.parse(udpOnly);
                assertTrue(truncated.records().isEmpty() && udpOnly.matches("(?s).*;; flags:[a-z ]* tc[ ;].*"),
                        "over UDP alone the answer is truncated:\n" + udpOnly);

                assertTunnelledQueryAnswered(services, context);
                // The guest's server logs its counters: proof that the answers came from inside the guest.
                guest.awaitLine("guest-dns", "queries=7 tcp=2 truncated=2", Duration.ofSeconds(10), null, context);

                assertEquals(200, ApiCurl.post(api, "/services/forwarder/unexpose", "{\"local\":\"127.0.0.1:"
                        + hostPort + "\",\"protocol\":\"udp\"}").status());
                String gone = HostCommand.textAllowingFailure(Dig.command("127.0.0.1", hostPort, false,
                        FakeDnsServer.ZONE, "A"));
                assertTrue(!gone.contains("->>HEADER<<-"), "no answer once the UDP forward is gone:\n" + gone);
                System.out.println("udp forward: dig A, TXT, NXDOMAIN and a truncated answer retried over the tcp"
                        + " forward, and a query through /tunnel on -services, all from the guest's DNS server at "
                        + remote);
            }
        }
    }

    /**
     * {@code /tunnel} on the {@code -services} socket to the guest's port 53: after the raw {@code OK}, one DNS query
     * in TCP framing (RFC 1035 4.2.2) and its answer, the A record of {@link FakeDnsServer#ZONE}.
     */
    private static void assertTunnelledQueryAnswered(Path services, Supplier<String> context) throws IOException {
        ByteArrayOutputStream query = new ByteArrayOutputStream();
        query.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : FakeDnsServer.ZONE.split("\\.")) {
            query.write(label.length());
            query.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        query.writeBytes(new byte[] {0, 0, 1, 0, 1});
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(services))) {
            OutputStream out = Channels.newOutputStream(c);
            out.write(("POST /tunnel?ip=" + Rig.GUEST_IP + "&port=" + GUEST_DNS_PORT + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(Channels.newInputStream(c));
            assertEquals("OK", new String(in.readNBytes(2), StandardCharsets.US_ASCII), "tunnel" + context.get());
            out.write(new byte[] {(byte) (query.size() >> 8), (byte) query.size()});
            out.write(query.toByteArray());
            byte[] response = in.readNBytes(in.readUnsignedShort());
            assertEquals(0x1234, ((response[0] & 0xFF) << 8) | (response[1] & 0xFF), "response id");
            assertEquals(0, response[3] & 0x0F, "rcode");
            byte[] a = InetAddress.ofLiteral(FakeDnsServer.A).getAddress();
            assertArrayEquals(a, Arrays.copyOfRange(response, response.length - 4, response.length),
                    "the answer's address");
        }
    }

    private static Dig.Answer dig(int port, String name, String type, Supplier<String> context,
            String... options) {
        List<String> command = Dig.command("127.0.0.1", port, false, name, type, options);
        String out = HostCommand.textAllowingFailure(command);
        try {
            return Dig.parse(out);
        } catch (AssertionError e) {
            throw new AssertionError(String.join(" ", command) + ": " + e.getMessage() + context.get(), e);
        }
    }
}
