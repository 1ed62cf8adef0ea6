package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gvproxy.cli.http.Curl;
import io.gvproxy.cli.http.RawHttp;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API of a running gvproxy (real network stack), as upstream's clients see it. */
@Timeout(60)
class ApiEndpointsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.DEBUG, Clock.systemUTC());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private GvproxyServer start(String... args) throws Exception {
        GvproxyOptions options = Options.of(args);
        GvproxyServer s = GvproxyServer.start(options, NetworkStackHandler.create(options, log), log, () -> {
            throw new AssertionError("stdio not expected");
        });
        toClose.add(s);
        return s;
    }

    private RawHttp client(Path sock) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(sock));
        toClose.add(ch);
        return new RawHttp(ch);
    }

    private static JsonObject stats(Path sock) throws Exception {
        Curl.Result r = Curl.unix(sock, "http://unix/stats");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().endsWith("}\n"), "Go's encoder ends with a newline");
        return JsonParser.parseString(r.stdout()).getAsJsonObject();
    }

    private static long at(JsonObject root, String dotted) {
        String[] parts = dotted.split("\\.");
        JsonObject o = root;
        for (int i = 0; i < parts.length - 1; i++) {
            o = o.getAsJsonObject(parts[i]);
        }
        return o.get(parts[parts.length - 1]).getAsLong();
    }

    @Test
    void statsHasUpstreamsTreeWithSortedKeysAndZeroes() throws Exception {
        Path api = dir.resolve("api.sock");
        start("-listen", "unix://" + api);
        Curl.Result raw = Curl.unix(api, "-i", "http://unix/stats");
        assertTrue(raw.stdout().startsWith("HTTP/1.1 200 OK\r\n"), raw.stdout());
        assertTrue(raw.stdout().contains("Content-Type: text/plain; charset=utf-8\r\n"), raw.stdout());
        String body = raw.stdout().substring(raw.stdout().indexOf("\r\n\r\n") + 4);
        assertTrue(body.startsWith("{\"ARP\":{\"DisabledPacketsReceived\":0,\"MalformedPacketsReceived\":0,"), body);
        JsonObject s = JsonParser.parseString(body).getAsJsonObject();
        assertEquals(List.of("ARP", "BytesReceived", "BytesSent", "DroppedPackets", "ICMP", "IGMP", "IP", "NICs",
                "TCP", "UDP"), List.copyOf(s.keySet()));
        assertEquals(12, s.getAsJsonObject("ARP").size());
        assertEquals(32, s.getAsJsonObject("TCP").size());
        assertEquals(7, s.getAsJsonObject("UDP").size());
        assertEquals(20, s.getAsJsonObject("IP").size(), "19 counters and Forwarding");
        assertEquals(14, s.getAsJsonObject("IP").getAsJsonObject("Forwarding").size());
        assertEquals(Set.of("ICMPv4PacketStats", "Dropped", "RateLimited"),
                s.getAsJsonObject("ICMP").getAsJsonObject("V4").getAsJsonObject("PacketsSent").keySet());
        assertEquals(11, s.getAsJsonObject("ICMP").getAsJsonObject("V4").getAsJsonObject("PacketsReceived")
                .getAsJsonObject("ICMPv4PacketStats").size());
        assertEquals(15, s.getAsJsonObject("ICMP").getAsJsonObject("V6").getAsJsonObject("PacketsReceived")
                .getAsJsonObject("ICMPv6PacketStats").size());
        assertEquals(Set.of("IGMPPacketStats", "Invalid", "ChecksumErrors", "Unrecognized"),
                s.getAsJsonObject("IGMP").getAsJsonObject("PacketsReceived").keySet());
        assertEquals(Set.of("MalformedL4RcvdPackets", "Tx", "TxPacketsDroppedNoBufferSpace", "Rx", "DisabledRx",
                "Neighbor"), s.getAsJsonObject("NICs").keySet());
        assertEquals(0, at(s, "BytesReceived"));
        assertEquals(0, at(s, "TCP.CurrentEstablished"));
    }

    @Test
    void statsAndCamFollowFramesFromAQemuPeer() throws Exception {
        Path api = dir.resolve("api.sock");
        Path qemuSock = dir.resolve("qemu.sock");
        start("-listen", "unix://" + api, "-listen-qemu", "unix://" + qemuSock);
        assertEquals("{}\n", Curl.unix(api, "http://unix/cam").stdout());
        try (SocketChannel vm = TestClients.connect(qemuSock)) {
            RawHttp frames = new RawHttp(vm);
            frames.send(ArpFrames.framed(ArpFrames.requestForGateway(), true));
            int length = ArpFrames.lengthOf(frames.readBytes(4), true);
            ArpFrames.assertReplyFromGateway(frames.readBytes(length));
            JsonObject s = stats(api);
            assertEquals(ArpFrames.LENGTH, at(s, "BytesReceived"));
            assertEquals(length, at(s, "BytesSent"));
            assertEquals(1, at(s, "ARP.RequestsReceived"));
            assertEquals(1, at(s, "ARP.PacketsReceived"));
            assertEquals(1, at(s, "ARP.OutgoingRepliesSent"));
            assertEquals(1, at(s, "NICs.Rx.Packets"));
            assertEquals(0, at(s, "ARP.MalformedPacketsReceived"));
            assertEquals("{\"" + ArpFrames.GUEST_MAC_TEXT + "\":0}\n", Curl.unix(api, "http://unix/cam").stdout());
        }
    }

    @Test
    void statsAndCamAnswerAnyMethodAsUpstream() throws Exception {
        Path api = dir.resolve("api.sock");
        start("-listen", "unix://" + api);
        Curl.Result r = Curl.unix(api, "-i", "-X", "DELETE", "http://unix/cam");
        assertTrue(r.stdout().startsWith("HTTP/1.1 200 OK\r\n"), r.stdout());
        assertTrue(r.stdout().endsWith("{}\n"), r.stdout());
    }

    @Test
    void unknownPathsAreGo404() throws Exception {
        Path api = dir.resolve("api.sock");
        start("-listen", "unix://" + api);
        for (String path : List.of("/", "/stats/", "/services/dhcp/leases-not", "/debug/pprof/")) {
            Curl.Result r = Curl.unix(api, "-i", "http://unix" + path);
            assertTrue(r.stdout().startsWith("HTTP/1.1 404 Not Found\r\n"), path + ": " + r.stdout());
            assertTrue(r.stdout().endsWith("\r\n\r\n404 page not found\n"), r.stdout());
        }
    }

    @Test
    void connectSpeaksHyperkitFramingWithoutStatusLine() throws Exception {
        Path api = dir.resolve("api.sock");
        GvproxyServer server = start("-listen", "unix://" + api);
        RawHttp c = client(api);
        // gvforwarder's request, with the first frame in the same write: upstream would drop it, we keep it.
        byte[] head = "POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] frame = ArpFrames.framed(ArpFrames.requestForGateway(), false);
        byte[] both = new byte[head.length + frame.length];
        System.arraycopy(head, 0, both, 0, head.length);
        System.arraycopy(frame, 0, both, head.length, frame.length);
        c.send(both);
        byte[] prefix = c.readBytes(2);
        assertFalse(new String(prefix, StandardCharsets.ISO_8859_1).equals("HT"), "no HTTP status line");
        ArpFrames.assertReplyFromGateway(c.readBytes(ArpFrames.lengthOf(prefix, false)));
        assertEquals("{\"" + ArpFrames.GUEST_MAC_TEXT + "\":0}\n", Curl.unix(api, "http://unix/cam").stdout());
        assertEquals(1, server.apiAddresses().size());
    }

    @Test
    void connectUsesQemuFramingWhenListenQemuIsSet() throws Exception {
        Path api = dir.resolve("api.sock");
        start("-listen", "unix://" + api, "-listen-qemu", "unix://" + dir.resolve("q.sock"));
        RawHttp c = client(api);
        c.send("GET /connect HTTP/1.1\r\nHost: x\r\n\r\n");
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), true));
        int length = ArpFrames.lengthOf(c.readBytes(4), true);
        ArpFrames.assertReplyFromGateway(c.readBytes(length));
    }

    @Test
    void servicesServesTheApiWithoutConnect() throws Exception {
        Path services = dir.resolve("services.sock");
        GvproxyServer server = start("-services", "unix://" + services);
        assertTrue(server.servicesAddress().isPresent());
        assertEquals(200, Integer.parseInt(Curl.unix(services, "-o", "/dev/null", "-w", "%{http_code}",
                "http://unix/stats").stdout()));
        RawHttp c = client(services);
        c.send("POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n");
        RawHttp.Response r = c.read();
        assertEquals("HTTP/1.1 404 Not Found", r.statusLine());
    }

    @Test
    void tcpListenerServesJdkHttpClient() throws Exception {
        GvproxyServer server = start("-listen", "tcp://127.0.0.1:0");
        InetSocketAddress a = (InetSocketAddress) server.apiAddresses().getFirst();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            URI base = URI.create("http://127.0.0.1:" + a.getPort());
            HttpResponse<String> stats = client.send(HttpRequest.newBuilder(base.resolve("/stats"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stats.statusCode());
            assertTrue(JsonParser.parseString(stats.body()).getAsJsonObject().has("BytesSent"));
            HttpResponse<String> again = client.send(HttpRequest.newBuilder(base.resolve("/cam"))
                    .POST(HttpRequest.BodyPublishers.ofString("ignored")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("{}\n", again.body());
        }
        server.close();
    }

    @Test
    void socketFilesAre0600AndRemovedAtClose() throws Exception {
        Path api = dir.resolve("api.sock");
        Path services = dir.resolve("services.sock");
        GvproxyServer server = start("-listen", "unix://" + api, "-services", "unix://" + services);
        for (Path p : List.of(api, services)) {
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)), p.toString());
        }
        server.close();
        assertFalse(Files.exists(api, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(services, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void staleSocketIsReplacedAndLiveOneRefused() throws Exception {
        Path api = dir.resolve("api.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(api));
        }
        assertTrue(Files.exists(api, LinkOption.NOFOLLOW_LINKS), "the JDK leaves the file behind");
        start("-listen", "unix://" + api);
        assertEquals(0, Curl.unix(api, "http://unix/stats").exit());
        StartupException e = assertThrows(StartupException.class, () -> start("-listen", "unix://" + api));
        assertTrue(e.getMessage().endsWith("address already in use (another process is listening)"), e.getMessage());
        assertEquals(0, Curl.unix(api, "http://unix/stats").exit(), "the live server is untouched");
    }

    @Test
    void closingGvproxyEndsConnectLinks() throws Exception {
        Path api = dir.resolve("api.sock");
        GvproxyServer server = start("-listen", "unix://" + api);
        RawHttp c = client(api);
        c.send("POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n");
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
        c.readBytes(2 + ArpFrames.LENGTH);
        server.close();
        assertTrue(c.closedByServer());
    }

    /** gvproxy with {@code args} (one of them {@code -listen unix://DIR/api.sock}) and a client of its API. */
    private RawHttp offeringClient(String... args) throws Exception {
        start(args);
        return client(dir.resolve("api.sock"));
    }

    // The large-segment offer of our gvforwarder (LargeSegmentOffer): accepted by our gvproxy with a first frame,
    // and nothing changes for upstream's gvforwarder or where the framing cannot carry large frames.

    @Test
    void ourGvproxyAcceptsOurGvforwardersOfferWithAFirstFrameBeforeAnyOther() throws Exception {
        RawHttp c = offeringClient("-listen", "unix://" + dir.resolve("api.sock"));
        c.send(ConnectRequest.bytes("/connect", true));
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
        byte[] first = c.readBytes(ArpFrames.lengthOf(c.readBytes(2), false));
        assertArrayEquals(LargeSegmentOffer.acceptFrame(), first);
        assertTrue(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(first)));
        ArpFrames.assertReplyFromGateway(c.readBytes(ArpFrames.lengthOf(c.readBytes(2), false)));
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("large TCP segments accepted"));
    }

    @Test
    void anUpstreamGvforwarderWithoutTheOfferGetsOnlyFrames() throws Exception {
        RawHttp c = offeringClient("-listen", "unix://" + dir.resolve("api.sock"));
        c.send(ConnectRequest.bytes("/connect"));
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
        byte[] first = c.readBytes(ArpFrames.lengthOf(c.readBytes(2), false));
        assertFalse(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(first)));
        ArpFrames.assertReplyFromGateway(first);
    }

    @Test
    void noAcceptanceWhereConnectUsesQemuFraming() throws Exception {
        RawHttp c = offeringClient("-listen", "unix://" + dir.resolve("api.sock"), "-listen-qemu",
                "unix://" + dir.resolve("q.sock"));
        c.send(ConnectRequest.bytes("/connect", true));
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), true));
        ArpFrames.assertReplyFromGateway(c.readBytes(ArpFrames.lengthOf(c.readBytes(4), true)));
    }

    @Test
    void noAcceptanceAtAnMtuWhoseFramesAlreadyReach64KiB() throws Exception {
        RawHttp c = offeringClient("-listen", "unix://" + dir.resolve("api.sock"), "-mtu", "65520");
        c.send(ConnectRequest.bytes("/connect", true));
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
        ArpFrames.assertReplyFromGateway(c.readBytes(ArpFrames.lengthOf(c.readBytes(2), false)));
    }
}
