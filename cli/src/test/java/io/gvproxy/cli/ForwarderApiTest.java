package io.gvproxy.cli;

import io.gvproxy.core.forward.SimulatedGuest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.cli.http.api.ForwarderRoutesAccess;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.tcpip.TcpStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The forwarder endpoints, {@code /tunnel} and the API inside the VM on gateway:80, against a running gvproxy
 * whose guest is simulated in-process (its own TCP stack on a link plugged into the network): statuses and bodies
 * as upstream's, and bytes through the forwards.
 */
@Timeout(120)
class ForwarderApiTest {
    private static final int GUEST_ECHO_PORT = 8080;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.DEBUG, Clock.systemUTC());
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private InetSocketAddress api;
    private VirtualNetwork network;
    private SimulatedGuest guest;

    private record Reply(int status, String body) {
    }

    @BeforeEach
    void startDefault() throws Exception {
        start();
    }

    private void start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-listen", "tcp://127.0.0.1:0"));
        args.addAll(List.of(extra));
        GvproxyOptions options = Options.of(args.toArray(String[]::new));
        NetworkStackHandler handler = NetworkStackHandler.create(options, log);
        GvproxyServer s = GvproxyServer.start(options, handler, log, () -> {
            throw new AssertionError("stdio not expected");
        });
        toClose.add(s);
        api = (InetSocketAddress) s.apiAddresses().getFirst();
        network = handler.network();
        guest = new SimulatedGuest(network, network.config().deviceIp());
        toClose.add(guest);
        guest.listen(offer -> {
            if (offer.localPort() != GUEST_ECHO_PORT) {
                offer.reject();
                return;
            }
            offer.accept().ifPresent(st -> Thread.ofVirtual().start(() -> echo(st)));
        });
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private static void echo(TcpStream s) {
        byte[] buf = new byte[16 * 1024];
        try (s) {
            int n;
            while ((n = s.read(buf, 0, buf.length)) > 0) {
                s.write(buf, 0, n);
            }
            s.shutdownOutput();
        } catch (IOException e) {
            // the test's assertions tell
        }
    }

    private static String request(String method, String path, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static Reply parse(byte[] raw) {
        String s = new String(raw, StandardCharsets.UTF_8);
        int status = Integer.parseInt(s.substring(9, 12));
        return new Reply(status, s.substring(s.indexOf("\r\n\r\n") + 4));
    }

    private Reply http(String method, String path, String body) throws IOException {
        try (Socket s = new Socket(api.getAddress(), api.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request(method, path, body).getBytes(StandardCharsets.UTF_8));
            return parse(s.getInputStream().readAllBytes());
        }
    }

    /** An HTTP exchange from inside the VM with the API on gateway:80. */
    private Reply fromGuest(String method, String path, String body) throws IOException {
        TcpStream s = guest.stack.connect(guest.ip, 41000 + (int) (System.nanoTime() & 0xFFF),
                network.config().gatewayIp(), 80, io.gvproxy.core.NetworkConfig.DEFAULT_GATEWAY_MAC);
        try (s) {
            s.awaitConnected(10, TimeUnit.SECONDS);
            s.setReadTimeout(20, TimeUnit.SECONDS);
            byte[] req = request(method, path, body).getBytes(StandardCharsets.UTF_8);
            s.write(req, 0, req.length);
            return parse(s.inputStream().readAllBytes());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String expose(String local, String remote, String protocol) {
        return "{\"local\":\"" + local + "\",\"remote\":\"" + remote + "\",\"protocol\":\"" + protocol + "\"}";
    }

    private static byte[] roundTrip(Socket s, byte[] data) throws IOException {
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        out.write(data);
        s.shutdownOutput();
        return s.getInputStream().readAllBytes();
    }

    @Test
    void listExposeUnexposeWithUpstreamsStatusesAndMessages() throws Exception {
        assertEquals(new Reply(200, "[]\n"), http("GET", "/services/forwarder/all", ""));
        int port = freePort();
        String local = "127.0.0.1:" + port;
        String remote = "192.168.127.2:" + GUEST_ECHO_PORT;
        assertEquals(new Reply(400, "post only\n"), http("GET", "/services/forwarder/expose", ""));
        assertEquals(new Reply(400, "post only\n"), http("PUT", "/services/forwarder/unexpose", ""));
        assertEquals(new Reply(400, "unexpected EOF\n"), http("POST", "/services/forwarder/expose", "{"));
        assertEquals(new Reply(400, "EOF\n"), http("POST", "/services/forwarder/unexpose", ""));
        assertEquals(new Reply(400, "json: cannot unmarshal number into Go struct field ExposeRequest.local of type"
                + " string\n"), http("POST", "/services/forwarder/expose", "{\"local\":1}"));
        assertEquals(new Reply(500, "unknown protocol sctp\n"),
                http("POST", "/services/forwarder/expose", expose(local, remote, "sctp")));
        assertEquals(new Reply(400, "address 192.168.127.2: missing port in address\n"),
                http("POST", "/services/forwarder/expose", expose(local, "192.168.127.2", "tcp")));
        assertEquals(new Reply(200, ""), http("POST", "/services/forwarder/expose", expose(local, remote, "")));
        assertEquals(new Reply(500, "proxy already running for tcp on " + local + "\n"),
                http("POST", "/services/forwarder/expose", expose(local, remote, "tcp")));
        // an empty remote host is the caller's address
        assertEquals(new Reply(200, ""), http("POST", "/services/forwarder/expose", expose(local, ":9", "udp")));
        assertEquals(new Reply(200, "[{\"local\":\"" + local + "\",\"remote\":\"" + remote + "\",\"protocol\":\"tcp\"},"
                        + "{\"local\":\"" + local + "\",\"remote\":\"127.0.0.1:9\",\"protocol\":\"udp\"}]\n"),
                http("GET", "/services/forwarder/all", ""));

        try (Socket s = new Socket("127.0.0.1", port)) {
            byte[] data = "through the exposed port".getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(data, roundTrip(s, data));
        }

        assertEquals(new Reply(500, "proxy not found\n"),
                http("POST", "/services/forwarder/unexpose", "{\"local\":\"127.0.0.1:1\"}"));
        assertEquals(new Reply(200, ""),
                http("POST", "/services/forwarder/unexpose", "{\"local\":\"" + local + "\",\"extra\":true}"));
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close());
        assertEquals(new Reply(200, ""), http("POST", "/services/forwarder/unexpose",
                "{\"local\":\"" + local + "\",\"protocol\":\"udp\"}"));
        assertEquals(new Reply(200, "[]\n"), http("GET", "/services/forwarder/all", ""));
    }

    @Test
    void tunnelSaysOkThenRelaysToTheGuestPort() throws Exception {
        assertEquals(new Reply(500, "ip is mandatory\n"), http("POST", "/tunnel?port=1", ""));
        assertEquals(new Reply(500, "strconv.Atoi: parsing \"x\": invalid syntax\n"),
                http("POST", "/tunnel?ip=192.168.127.2&port=x", ""));
        try (Socket s = new Socket(api.getAddress(), api.getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /tunnel?ip=192.168.127.2&port=" + GUEST_ECHO_PORT + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertArrayEquals("OK".getBytes(StandardCharsets.US_ASCII), in.readNBytes(2));
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertEquals("ping", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void theGuestApiOnTheGatewayServesTheForwarderOnly() throws Exception {
        assertEquals(new Reply(200, "[]\n"), fromGuest("GET", "/services/forwarder/all", ""));
        assertEquals(404, fromGuest("GET", "/stats", "").status());
        assertEquals(404, fromGuest("POST", "/tunnel?ip=192.168.127.2&port=8080", "").status());
        int port = freePort();
        String local = "127.0.0.1:" + port;
        // the remote's empty host is the guest's own address
        assertEquals(new Reply(200, ""), fromGuest("POST", "/services/forwarder/expose",
                expose(local, ":" + GUEST_ECHO_PORT, "tcp")));
        assertEquals(new Reply(200, "[{\"local\":\"" + local + "\",\"remote\":\"192.168.127.2:" + GUEST_ECHO_PORT
                + "\",\"protocol\":\"tcp\"}]\n"), http("GET", "/services/forwarder/all", ""));
        try (Socket s = new Socket("127.0.0.1", port)) {
            byte[] data = "exposed by the guest".getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(data, roundTrip(s, data));
        }
        assertEquals(new Reply(200, ""), fromGuest("POST", "/services/forwarder/unexpose",
                "{\"local\":\"" + local + "\"}"));
    }

    @Test
    void theGuestMayNotBindBeyondLoopbackNorUseUnixSockets() throws Exception {
        String refusal = ForwarderRoutesAccess.guestRefusal() + "\n";
        int port = freePort();
        assertEquals(new Reply(403, refusal), fromGuest("POST", "/services/forwarder/expose",
                expose(":" + port, ":" + GUEST_ECHO_PORT, "tcp")));
        assertEquals(new Reply(403, refusal), fromGuest("POST", "/services/forwarder/expose",
                expose("0.0.0.0:" + port, ":" + GUEST_ECHO_PORT, "udp")));
        assertEquals(new Reply(403, refusal), fromGuest("POST", "/services/forwarder/expose",
                expose("/tmp/gvproxy-guest-test.sock", "tcp://192.168.127.2:8080", "unix")));
        assertEquals(new Reply(403, refusal), fromGuest("POST", "/services/forwarder/unexpose",
                "{\"local\":\"/tmp/gvproxy-guest-test.sock\",\"protocol\":\"unix\"}"));
        assertEquals(new Reply(200, "[]\n"), http("GET", "/services/forwarder/all", ""));
    }

    @Test
    void sshPortAddsTheDefaultForwardToTheGuestsPort22() throws Exception {
        closeAll();
        toClose.clear();
        int port = freePort();
        start("-ssh-port", Integer.toString(port));
        assertEquals(new Reply(200, "[{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"192.168.127.2:22\","
                + "\"protocol\":\"tcp\"}]\n"), http("GET", "/services/forwarder/all", ""));
        // the simulated guest refuses port 22, so the forwarded connection is closed
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void theFlagRestoresUpstreamsGuestBehaviour() throws Exception {
        closeAll();
        toClose.clear();
        start("-guest-expose-unrestricted");
        int port = freePort();
        Reply r = fromGuest("POST", "/services/forwarder/expose", expose(":" + port, ":" + GUEST_ECHO_PORT, "tcp"));
        assertEquals(new Reply(200, ""), r);
        assertTrue(http("GET", "/services/forwarder/all", "").body().contains("\"local\":\":" + port + "\""));
        try (Socket s = new Socket("127.0.0.1", port)) {
            byte[] data = "all interfaces".getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(data, roundTrip(s, data));
        }
        assertEquals(Ipv4.parse("192.168.127.2"), guest.ip);
    }
}
