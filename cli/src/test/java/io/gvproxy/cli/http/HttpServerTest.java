package io.gvproxy.cli.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.cli.LogrusLogger;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HttpServerTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.DEBUG, Clock.systemUTC());
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Path sock;

    private final Router router = new Router()
            .handle("/hello", r -> HttpResponse.ok("hello\n".getBytes(StandardCharsets.UTF_8)))
            .handle("/echo", Set.of("POST"), r -> HttpResponse.ok(r.body()))
            .handle("/query", r -> HttpResponse.ok((r.queryParameter("ip") + "|" + r.queryParameter("port"))
                    .getBytes(StandardCharsets.UTF_8)))
            .handle("/slow", r -> {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return HttpResponse.ok("slow\n".getBytes(StandardCharsets.UTF_8));
            })
            .upgrade("/raw", r -> HttpResponse.hijack(ch -> {
                ByteBuffer b = ByteBuffer.allocate(4096);
                while (ch.read(b) >= 0) {
                    b.flip();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    b.clear();
                }
            }));

    @BeforeEach
    void start() throws Exception {
        sock = dir.resolve("api.sock");
        startServer(HttpLimits.DEFAULT);
    }

    private HttpServer startServer(HttpLimits limits) throws Exception {
        Files.deleteIfExists(sock);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(sock));
        var owner = Files.getOwner(sock, LinkOption.NOFOLLOW_LINKS);
        HttpServer server = new HttpServer("api", new SocketChannelAcceptor(ch, "unix://" + sock, owner, () -> {
            try {
                ch.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, log), router, limits, log);
        server.start();
        toClose.add(server);
        return server;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private RawHttp client() throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(sock));
        toClose.add(ch);
        return new RawHttp(ch);
    }

    @Test
    void curlGetsABodyWithGoHeaders() throws Exception {
        Curl.Result r = Curl.unix(sock, "-i", "http://unix/hello");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().startsWith("HTTP/1.1 200 OK\r\n"), r.stdout());
        assertTrue(r.stdout().contains("Content-Type: text/plain; charset=utf-8\r\n"), r.stdout());
        assertTrue(r.stdout().contains("Content-Length: 6\r\n"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*Date: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n.*"),
                r.stdout());
        assertTrue(r.stdout().endsWith("\r\n\r\nhello\n"), r.stdout());
    }

    @Test
    void unknownPathIsGoNotFound() throws Exception {
        RawHttp c = client();
        c.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
        RawHttp.Response r = c.read();
        assertEquals("HTTP/1.1 404 Not Found", r.statusLine());
        assertEquals("404 page not found\n", r.body());
        assertEquals("nosniff", r.header("X-Content-Type-Options"));
        c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("hello\n", c.read().body(), "a 404 keeps the connection");
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        Curl.Result r = Curl.unix(sock, "-i", "http://unix/echo");
        assertTrue(r.stdout().startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), r.stdout());
        assertTrue(r.stdout().contains("Allow: POST\r\n"), r.stdout());
        assertTrue(r.stdout().endsWith("Method Not Allowed\n"), r.stdout());
    }

    @Test
    void postBodyWithContentLengthAndExpectContinue() throws Exception {
        String big = "x".repeat(5000);
        Curl.Result r = Curl.unix(sock, "-v", "-H", "Expect: 100-continue", "--data-binary", big,
                "http://unix/echo");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(big, r.stdout());
        assertTrue(r.stderr().contains("HTTP/1.1 100 Continue"), r.stderr());
    }

    @Test
    void chunkedBodyIsAccepted() throws Exception {
        RawHttp c = client();
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: t\r\n\r\n");
        assertEquals("hello, world", c.read().body());
    }

    @Test
    void keepAliveServesTwoRequestsOnOneConnection() throws Exception {
        RawHttp c = client();
        // Pipelined: both requests in one write.
        c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /query?ip=192.168.127.2&port=22 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("hello\n", c.read().body());
        RawHttp.Response second = c.read();
        assertEquals("192.168.127.2|22", second.body());
        assertEquals(null, second.header("Connection"));
        Curl.Result r = Curl.unix(sock, "-v", "http://unix/hello", "http://unix/hello");
        assertEquals("hello\nhello\n", r.stdout());
        assertTrue(r.stderr().contains("Re-using existing connection") || r.stderr().contains("Reusing existing"),
                r.stderr());
    }

    @Test
    void http10IsClosedAfterTheResponse() throws Exception {
        RawHttp c = client();
        c.send("GET /hello HTTP/1.0\r\n\r\n");
        RawHttp.Response r = c.read();
        assertEquals("HTTP/1.0 200 OK", r.statusLine());
        assertEquals("close", r.header("Connection"));
        assertTrue(c.closedByServer());
    }

    @Test
    void http11ConnectionCloseIsHonoured() throws Exception {
        RawHttp c = client();
        c.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals("close", c.read().header("Connection"));
        assertTrue(c.closedByServer());
    }

    @Test
    void garbageRequestLineIsGo400AndClose() throws Exception {
        RawHttp c = client();
        c.send("this is not http\r\n\r\n");
        assertEquals("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                + "400 Bad Request", c.readToEof());
    }

    @Test
    void missingHostOnHttp11IsGo400WithDetail() throws Exception {
        RawHttp c = client();
        c.send("GET /hello HTTP/1.1\r\n\r\n");
        assertEquals("HTTP/1.1 400 Bad Request: missing required Host header\r\nContent-Type: text/plain; "
                + "charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: missing required Host header",
                c.readToEof());
    }

    @Test
    void headTooLargeIs431() throws Exception {
        RawHttp c = client();
        c.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
        String all = c.readToEof();
        assertTrue(all.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), all);
        assertTrue(all.endsWith("\r\n\r\n431 Request Header Fields Too Large"), all);
    }

    @Test
    void bodyTooLargeIs413BeforeContinue() throws Exception {
        RawHttp c = client();
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n");
        String all = c.readToEof();
        assertTrue(all.startsWith("HTTP/1.1 413 Request Entity Too Large\r\n"), all);
        Path file = dir.resolve("big");
        Files.write(file, new byte[2_000_000]);
        Curl.Result r = Curl.unix(sock, "-i", "--data-binary", "@" + file, "http://unix/echo");
        assertTrue(r.stdout().startsWith("HTTP/1.1 413 "), r.stdout() + r.stderr());
    }

    @Test
    void chunkedBodyOverTheCapIs413() throws Exception {
        RawHttp c = client();
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n");
        assertTrue(c.readToEof().startsWith("HTTP/1.1 413 "));
    }

    @Test
    void unsupportedTransferEncodingIs501() throws Exception {
        RawHttp c = client();
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n");
        assertTrue(c.readToEof().startsWith("HTTP/1.1 501 Not Implemented: unsupported transfer encoding\r\n"));
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        closeAll();
        toClose.clear();
        startServer(new HttpLimits(16 * 1024, 1024, Duration.ofMillis(300), Duration.ofMillis(300), 8));
        RawHttp c = client();
        c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("hello\n", c.read().body());
        long t0 = System.nanoTime();
        assertTrue(c.closedByServer());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 150 && ms < 5000, "closed after " + ms + " ms");
        RawHttp slow = client();
        slow.send("GET /hello HTTP/1.1\r\n");
        assertTrue(slow.closedByServer(), "a head that never ends is cut off");
    }

    @Test
    void timeoutsRestartWithEachRequestAndCoverTheHandlerSeparately() throws Exception {
        closeAll();
        toClose.clear();
        startServer(new HttpLimits(16 * 1024, 1024, Duration.ofMillis(800), Duration.ofMillis(800), 8));
        RawHttp c = client();
        for (int i = 0; i < 3; i++) {
            // Idle for most of the read timeout, then a request whose handler takes most of the write timeout.
            Thread.sleep(500);
            c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("slow\n", c.read().body(), "round " + i);
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosed() throws Exception {
        closeAll();
        toClose.clear();
        HttpServer s = startServer(new HttpLimits(16 * 1024, 1024, Duration.ofSeconds(10), Duration.ofSeconds(10), 2));
        RawHttp a = client();
        RawHttp b = client();
        a.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        b.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        a.read();
        b.read();
        assertEquals(2, s.activeConnections());
        RawHttp third = client();
        assertTrue(third.closedByServer());
        a.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("hello\n", a.read().body());
    }

    @Test
    void hijackKeepsBytesSentRightAfterTheHead() throws Exception {
        RawHttp c = client();
        c.send("POST /raw HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\nearly bytes");
        assertArrayEquals("early bytes".getBytes(StandardCharsets.UTF_8), c.readBytes(11),
                "no status line, and the pipelined bytes come first");
        c.send("later");
        assertArrayEquals("later".getBytes(StandardCharsets.UTF_8), c.readBytes(5));
    }

    @Test
    void hijackedConnectionIsNotTimedOut() throws Exception {
        closeAll();
        toClose.clear();
        startServer(new HttpLimits(16 * 1024, 1024, Duration.ofMillis(200), Duration.ofMillis(200), 8));
        RawHttp c = client();
        c.send("GET /raw HTTP/1.1\r\nHost: x\r\n\r\n");
        Thread.sleep(800);
        c.send("still here");
        assertArrayEquals("still here".getBytes(StandardCharsets.UTF_8), c.readBytes(10));
    }

    @Test
    void otherUsersAreKeptOutByModeAndByPeerCredentials() throws Exception {
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root") && Files.isExecutable(SETPRIV),
                "needs root and setpriv to act as another user");
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "gvproxy-peercred");
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path saved = sock;
            sock = shared.resolve("api.sock");
            try {
                startServer(HttpLimits.DEFAULT);
                Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-------"));
                CurlRun refused = curlAsNobody(sock);
                assertEquals(7, refused.exit(), refused.output());
                // curl shortens long socket paths in this line, so only its shape is checked.
                assertTrue(refused.output().matches("(?s).*Immediate connect fail for [^\n]*: Permission denied\n.*"),
                        "connect refused by the file mode: " + refused.output());
                Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
                // curl says 7 rather than 52/56 when the server's close lands before curl's post-connect check;
                // that is timing, so the proof of a connect that was accepted and then dropped is that connect()
                // itself did not fail, no response came, and the server logged the drop below.
                CurlRun dropped = curlAsNobody(sock);
                assertTrue(dropped.exit() == 7 || dropped.exit() == 52 || dropped.exit() == 56,
                        "dropped after accept: " + dropped.output());
                assertTrue(!dropped.output().contains("Immediate connect fail") && !dropped.output().contains("< HTTP/"),
                        "the file mode let the connect through and no response came: " + dropped.output());
                String text;
                synchronized (log) {
                    text = logBytes.toString(StandardCharsets.UTF_8);
                }
                assertTrue(text.contains("dropping a connection from user nobody"), text);
                assertEquals(0, Curl.unix(sock, "http://unix/hello").exit(), "the owner still gets in");
            } finally {
                closeAll();
                toClose.clear();
                sock = saved;
            }
        } finally {
            try (var files = Files.list(shared)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(shared);
        }
    }

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private record CurlRun(int exit, String output) {
    }

    /** curl -v as user nobody; the verbose output tells a failed connect() from a connection dropped later. */
    private static CurlRun curlAsNobody(Path socket) throws Exception {
        Process p = new ProcessBuilder(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                "curl", "-v", "-sS", "--max-time", "10", "--unix-socket", socket.toString(), "http://unix/hello")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not end");
        }
        return new CurlRun(p.exitValue(), output.strip());
    }

    @Test
    void closingTheServerEndsConnections() throws Exception {
        HttpServer s = startServerOnOtherSocket();
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(dir.resolve("other.sock")));
        toClose.add(ch);
        RawHttp c = new RawHttp(ch);
        c.send("GET /raw HTTP/1.1\r\nHost: x\r\n\r\n");
        c.send("x");
        c.readBytes(1);
        s.close();
        assertTrue(c.closedByServer());
    }

    private HttpServer startServerOnOtherSocket() throws Exception {
        Path saved = sock;
        sock = dir.resolve("other.sock");
        try {
            return startServer(HttpLimits.DEFAULT);
        } finally {
            sock = saved;
        }
    }
}
