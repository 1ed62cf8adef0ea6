package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.cli.http.Curl;
import io.gvproxy.cli.http.RawHttp;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The DHCP and DNS endpoints of a running gvproxy, byte for byte as upstream answers them. */
@Timeout(60)
class ServicesApiTest {
    private static final String DEFAULT_LEASES = "{\"192.168.127.1\":\"5a:94:ef:e4:0c:dd\","
            + "\"192.168.127.2\":\"5a:94:ef:e4:0c:ee\"}\n";
    private static final String DEFAULT_ZONES = "[{\"Name\":\"containers.internal.\",\"Records\":["
            + "{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],"
            + "\"DefaultIP\":\"\"},{\"Name\":\"docker.internal.\",\"Records\":[{\"Name\":\"gateway\","
            + "\"IP\":\"192.168.127.1\"},{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"}]\n";

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

    private Path listen() throws Exception {
        Path api = dir.resolve("api.sock");
        start("-listen", "unix://" + api);
        return api;
    }

    private static String body(Path sock, String... args) throws Exception {
        Curl.Result r = Curl.unix(sock, args);
        assertEquals(0, r.exit(), r.stderr());
        return r.stdout();
    }

    /** Status line, Content-Type, nosniff and body of a response read with curl -i. */
    private static void assertError(Curl.Result r, int status, String message) {
        String out = r.stdout();
        assertTrue(out.startsWith("HTTP/1.1 " + status + " "), out);
        assertTrue(out.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), out);
        assertTrue(out.contains("\r\nX-Content-Type-Options: nosniff\r\n"), out);
        assertEquals(message + "\n", out.substring(out.indexOf("\r\n\r\n") + 4));
    }

    private static Curl.Result post(Path sock, String path, String json) throws Exception {
        return Curl.unix(sock, "-i", "-X", "POST", "http://unix" + path, "--data-binary", json);
    }

    @Test
    void leasesListGatewayAndStaticLeaseOnBothPathsAndBothListenersForAnyMethod() throws Exception {
        Path api = dir.resolve("api.sock");
        Path services = dir.resolve("services.sock");
        start("-listen", "unix://" + api, "-services", "unix://" + services);
        for (Path sock : List.of(api, services)) {
            for (String path : List.of("/leases", "/services/dhcp/leases")) {
                Curl.Result r = Curl.unix(sock, "-i", "http://unix" + path);
                assertTrue(r.stdout().startsWith("HTTP/1.1 200 OK\r\n"), r.stdout());
                assertTrue(r.stdout().contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), r.stdout());
                assertTrue(r.stdout().endsWith("\r\n\r\n" + DEFAULT_LEASES), r.stdout());
                assertEquals(DEFAULT_LEASES, body(sock, "-X", "DELETE", "http://unix" + path));
            }
        }
    }

    @Test
    void leaseGrantedToAConnectGuestIsListed() throws Exception {
        Path api = listen();
        MacAddress mac = MacAddress.parse("5a:94:ef:e4:0c:ef");
        SocketChannel ch = TestClients.connect(api);
        toClose.add(ch);
        RawHttp guest = new RawHttp(ch);
        guest.send("POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n");
        guest.send(ArpFrames.framed(DhcpFrames.message(mac, 0x1234, DhcpFrames.DISCOVER, 0, 0), false));
        int offered = DhcpFrames.yourAddress(guest.readBytes(ArpFrames.lengthOf(guest.readBytes(2), false)),
                DhcpFrames.OFFER);
        assertEquals("192.168.127.3", Ipv4.toString(offered));
        assertEquals(DEFAULT_LEASES, body(api, "http://unix/leases"), "an offer is not a lease");
        guest.send(ArpFrames.framed(DhcpFrames.message(mac, 0x1234, DhcpFrames.REQUEST, offered,
                Ipv4.parse("192.168.127.1")), false));
        assertEquals(offered, DhcpFrames.yourAddress(guest.readBytes(ArpFrames.lengthOf(guest.readBytes(2), false)),
                DhcpFrames.ACK));
        String withGuest = "{\"192.168.127.1\":\"5a:94:ef:e4:0c:dd\",\"192.168.127.2\":\"5a:94:ef:e4:0c:ee\","
                + "\"192.168.127.3\":\"5a:94:ef:e4:0c:ef\"}\n";
        assertEquals(withGuest, body(api, "http://unix/leases"));
        assertEquals(withGuest, body(api, "http://unix/services/dhcp/leases"));
    }

    @Test
    void dnsAllListsTheDefaultZonesForAnyMethod() throws Exception {
        Path api = listen();
        Curl.Result r = Curl.unix(api, "-i", "http://unix/services/dns/all");
        assertTrue(r.stdout().startsWith("HTTP/1.1 200 OK\r\n"), r.stdout());
        assertTrue(r.stdout().contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), r.stdout());
        assertTrue(r.stdout().endsWith("\r\n\r\n" + DEFAULT_ZONES), r.stdout());
        assertEquals(DEFAULT_ZONES, body(api, "-X", "POST", "http://unix/services/dns/all", "-d", "{}"));
    }

    @Test
    void dnsAddAppendsNewZonesAndPutsNewRecordsFirstForAnExistingOne() throws Exception {
        Path api = listen();
        Curl.Result r = post(api, "/services/dns/add", "{\"Name\":\"test.internal.\",\"Records\":[{\"Name\":\"web\","
                + "\"IP\":\"192.168.127.50\"}],\"DefaultIP\":\"192.168.127.52\"}");
        assertTrue(r.stdout().startsWith("HTTP/1.1 200 OK\r\n"), r.stdout());
        assertTrue(r.stdout().contains("\r\nContent-Length: 0\r\n"), r.stdout());
        assertTrue(r.stdout().endsWith("\r\n\r\n"), "empty body: " + r.stdout());
        String test1 = "{\"Name\":\"test.internal.\",\"Records\":[{\"Name\":\"web\",\"IP\":\"192.168.127.50\"}],"
                + "\"DefaultIP\":\"192.168.127.52\"}";
        assertEquals(DEFAULT_ZONES.substring(0, DEFAULT_ZONES.length() - 2) + "," + test1 + "]\n",
                body(api, "http://unix/services/dns/all"));

        post(api, "/services/dns/add", "{\"Name\":\"test.internal.\",\"Records\":[{\"Regexp\":\"^api-\","
                + "\"IP\":\"192.168.127.51\"}]}");
        post(api, "/services/dns/add", "{\"Name\":\"containers.internal.\",\"Records\":[{\"Name\":\"db\","
                + "\"IP\":\"192.168.127.60\"}],\"DefaultIP\":\"192.168.127.61\"}");
        String all = body(api, "http://unix/services/dns/all");
        assertEquals("[{\"Name\":\"containers.internal.\",\"Records\":[{\"Name\":\"db\",\"IP\":\"192.168.127.60\"},"
                + "{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],"
                + "\"DefaultIP\":\"192.168.127.61\"},{\"Name\":\"docker.internal.\",\"Records\":[{\"Name\":\"gateway\","
                + "\"IP\":\"192.168.127.1\"},{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"},"
                + "{\"Name\":\"test.internal.\",\"Records\":[{\"Name\":\"\",\"IP\":\"192.168.127.51\",\"Regexp\":"
                + "\"^api-\"},{\"Name\":\"web\",\"IP\":\"192.168.127.50\"}],\"DefaultIP\":\"\"}]\n", all,
                "the second add replaced DefaultIP with none");
    }

    @Test
    void dnsAddRefusesOtherMethodsWithPostOnly() throws Exception {
        Path api = listen();
        for (String method : List.of("GET", "PUT", "DELETE")) {
            assertError(Curl.unix(api, "-i", "-X", method, "http://unix/services/dns/add", "-d",
                    "{\"Name\":\"a.\"}"), 400, "post only");
        }
        assertEquals(DEFAULT_ZONES, body(api, "http://unix/services/dns/all"));
    }

    @Test
    void dnsAddRefusesBadBodiesWithGosMessagesAndAddsNothing() throws Exception {
        Path api = listen();
        assertError(Curl.unix(api, "-i", "-X", "POST", "http://unix/services/dns/add"), 400, "EOF");
        assertError(post(api, "/services/dns/add", "{\"Name\":"), 400, "unexpected EOF");
        assertError(post(api, "/services/dns/add", "not json"), 400,
                "invalid character 'o' in literal null (expecting 'u')");
        assertError(post(api, "/services/dns/add", "{\"Name\":\"a.\" \"x\"}"), 400,
                "invalid character '\"' after object key:value pair");
        assertError(post(api, "/services/dns/add", "[]"), 400,
                "json: cannot unmarshal array into Go value of type types.Zone");
        assertError(post(api, "/services/dns/add", "{\"Name\":\"a.\",\"Records\":[{\"Regexp\":\"[a-\","
                + "\"IP\":\"192.168.127.9\"}]}"), 400, "error parsing regexp: missing closing ]: `[a-`");
        assertError(post(api, "/services/dns/add", "{\"Name\":\"a.\",\"Records\":[{\"Regexp\":\"(?=x)\"}]}"), 400,
                "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
        assertError(post(api, "/services/dns/add", "{\"Name\":\"a.\",\"DefaultIP\":\"192.168.127\"}"), 400,
                "invalid IP address: 192.168.127");
        assertEquals(DEFAULT_ZONES, body(api, "http://unix/services/dns/all"));
    }

    @Test
    void servicesListenerServesDnsAdd() throws Exception {
        Path services = dir.resolve("services.sock");
        start("-services", "unix://" + services);
        post(services, "/services/dns/add", "{\"Name\":\"s.internal.\",\"DefaultIP\":\"192.168.127.70\"}");
        assertTrue(body(services, "http://unix/services/dns/all").endsWith(
                ",{\"Name\":\"s.internal.\",\"Records\":null,\"DefaultIP\":\"192.168.127.70\"}]\n"));
    }

    @Test
    void jdkClientAddsAndListsZonesOverTcp() throws Exception {
        GvproxyServer server = start("-listen", "tcp://127.0.0.1:0");
        InetSocketAddress a = (InetSocketAddress) server.apiAddresses().getFirst();
        URI base = URI.create("http://127.0.0.1:" + a.getPort());
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> add = client.send(HttpRequest.newBuilder(base.resolve("/services/dns/add"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"Name\":\"j.internal.\",\"Records\":[{\"Name\":"
                            + "\"x\",\"IP\":\"192.168.127.80\"}]}", StandardCharsets.UTF_8))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, add.statusCode());
            assertEquals("", add.body());
            HttpResponse<String> bad = client.send(HttpRequest.newBuilder(base.resolve("/services/dns/add"))
                    .GET().timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
            assertEquals("post only\n", bad.body());
            HttpResponse<String> all = client.send(HttpRequest.newBuilder(base.resolve("/services/dns/all"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, all.statusCode());
            assertTrue(all.body().endsWith(",{\"Name\":\"j.internal.\",\"Records\":[{\"Name\":\"x\","
                    + "\"IP\":\"192.168.127.80\"}],\"DefaultIP\":\"\"}]\n"), all.body());
            HttpResponse<String> leases = client.send(HttpRequest.newBuilder(base.resolve("/leases"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(DEFAULT_LEASES, leases.body());
        }
    }
}
