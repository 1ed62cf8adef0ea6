package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GvproxyServerTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.DEBUG,
            Clock.systemUTC());
    private final RecordingHandler handler = new RecordingHandler();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private String logText() {
        synchronized (log) {
            return logBytes.toString(StandardCharsets.UTF_8);
        }
    }

    private GvproxyServer start(String... args) throws Exception {
        return start(() -> {
            throw new AssertionError("stdio not expected");
        }, args);
    }

    private GvproxyServer start(Supplier<StdioChannels> stdio, String... args) throws Exception {
        GvproxyServer s = GvproxyServer.start(Options.of(args), handler, log, stdio);
        toClose.add(s);
        return s;
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    @Test
    void qemuReconnectReachesTheHandlerAgain() throws Exception {
        Path sock = dir.resolve("q.sock");
        GvproxyServer s = start("-listen-qemu", "unix://" + sock);
        try (SocketChannel first = TestClients.connect(sock)) {
            TestClients.assertEcho(first, "one");
        }
        RecordingHandler.Call c1 = handler.next();
        TestClients.await("first qemu connection to end", () -> s.activeQemuConnections() == 0);
        try (SocketChannel second = TestClients.connect(sock)) {
            TestClients.assertEcho(second, "two");
        }
        RecordingHandler.Call c2 = handler.next();
        assertEquals("qemu", c1.kind());
        assertEquals("qemu", c2.kind());
        assertNotEquals(c1.peer(), c2.peer());
        assertTrue(logText().contains("qemu: VM disconnected: " + c1.peer()), logText());
    }

    @Test
    void secondConcurrentQemuConnectionIsRefused() throws Exception {
        Path sock = dir.resolve("q.sock");
        GvproxyServer s = start("-listen-qemu", "unix://" + sock);
        SocketChannel first = closeLater(TestClients.connect(sock));
        TestClients.assertEcho(first, "vm1");
        SocketChannel second = closeLater(TestClients.connect(sock));
        TestClients.assertClosedByServer(second);
        TestClients.assertEcho(first, "still alive");
        assertEquals(1, s.activeQemuConnections());
        assertEquals(1, handler.calls.size());
        TestClients.await("refusal log line", () -> logText().contains("a VM is already connected"));
    }

    @Test
    void vpnkitServesManyConnectionsAtOnce() throws Exception {
        Path sock = dir.resolve("v.sock");
        start("-listen-vpnkit", "unix://" + sock);
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(closeLater(TestClients.connect(sock)));
        }
        for (int i = 0; i < 3; i++) {
            TestClients.assertEcho(clients.get(i), "vm" + i);
        }
        Set<String> peers = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            RecordingHandler.Call c = handler.next();
            assertEquals("vpnkit", c.kind());
            peers.add(c.peer());
        }
        assertEquals(3, peers.size());
    }

    @Test
    void tcpListenerOnLoopback() throws Exception {
        GvproxyServer s = start("-listen-qemu", "tcp://127.0.0.1:0");
        InetSocketAddress a = (InetSocketAddress) s.qemuAddress().orElseThrow();
        assertTrue(a.getAddress().isLoopbackAddress());
        try (SocketChannel c = TestClients.connect(a)) {
            TestClients.assertEcho(c, "tcp");
            int localPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
            assertEquals(new RecordingHandler.Call("qemu", "127.0.0.1:" + localPort), handler.next());
        }
        GvproxyServer v = GvproxyServer.start(Options.of("-listen-vpnkit", "tcp://127.0.0.1:0"), handler, log, null);
        toClose.add(v);
        try (SocketChannel c = TestClients.connect(v.vpnkitAddress().orElseThrow())) {
            TestClients.assertEcho(c, "tcp vpnkit");
        }
    }

    @Test
    void tcpPortInUse() throws Exception {
        ServerSocketChannel busy = closeLater(ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)));
        int port = ((InetSocketAddress) busy.getLocalAddress()).getPort();
        StartupException e = assertThrows(StartupException.class,
                () -> start("-listen-qemu", "tcp://127.0.0.1:" + port));
        assertEquals("listen tcp 127.0.0.1:" + port + ": bind: address already in use", e.getMessage());
    }

    @Test
    void socketFileIsPrivateAndRemovedAtClose() throws Exception {
        Path sock = dir.resolve("q.sock");
        GvproxyServer s = start("-listen-qemu", "unix://" + sock);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));
        s.close();
        assertFalse(Files.exists(sock));
    }

    @Test
    void staleSocketIsReplaced() throws Exception {
        Path sock = dir.resolve("q.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock), "closing a unix listener leaves its file behind");
        start("-listen-qemu", "unix://" + sock);
        try (SocketChannel c = TestClients.connect(sock)) {
            TestClients.assertEcho(c, "after stale");
        }
        assertTrue(logText().contains("removed stale socket " + sock), logText());
    }

    @Test
    void liveSocketIsRefused() throws Exception {
        Path sock = dir.resolve("q.sock");
        ServerSocketChannel other = closeLater(ServerSocketChannel.open(StandardProtocolFamily.UNIX));
        other.bind(UnixDomainSocketAddress.of(sock));
        StartupException e = assertThrows(StartupException.class, () -> start("-listen-qemu", "unix://" + sock));
        assertEquals("listen unix " + sock + ": bind: address already in use (another process is listening)",
                e.getMessage());
        assertTrue(Files.exists(sock), "the other process's socket must be left alone");
    }

    @Test
    void regularFileIsNotReplaced() throws Exception {
        Path file = Files.writeString(dir.resolve("q.sock"), "data");
        StartupException e = assertThrows(StartupException.class, () -> start("-listen-qemu", "unix://" + file));
        assertEquals("listen unix " + file + ": bind: address already in use (file exists and is not a socket)",
                e.getMessage());
        assertEquals("data", Files.readString(file));
    }

    @Test
    void missingDirectory() {
        Path sock = dir.resolve("missing/q.sock");
        StartupException e = assertThrows(StartupException.class, () -> start("-listen-qemu", "unix://" + sock));
        assertTrue(e.getMessage().startsWith("listen unix " + sock + ": bind: "), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("no such file"), e.getMessage());
    }

    @Test
    void pidFileLifecycle() throws Exception {
        Path pid = dir.resolve("gvproxy.pid");
        GvproxyServer s = start("-pid-file", pid.toString());
        assertEquals(Long.toString(ProcessHandle.current().pid()), Files.readString(pid));
        s.close();
        assertFalse(Files.exists(pid));
        s.close();
    }

    @Test
    void pidFileInMissingDirectory() {
        Path pid = dir.resolve("missing/gvproxy.pid");
        StartupException e = assertThrows(StartupException.class, () -> start("-pid-file", pid.toString()));
        assertTrue(e.getMessage().startsWith("unable to write pid file " + pid + ": "), e.getMessage());
    }

    @Test
    void failedStartLeavesNothingBehind() throws Exception {
        Path pid = dir.resolve("gvproxy.pid");
        Path file = Files.writeString(dir.resolve("q.sock"), "data");
        assertThrows(StartupException.class, () -> start("-pid-file", pid.toString(), "-listen-qemu",
                "unix://" + file));
        assertFalse(Files.exists(pid));
    }

    @Test
    void closeWakesConnectedVm() throws Exception {
        Path sock = dir.resolve("q.sock");
        GvproxyServer s = start("-listen-qemu", "unix://" + sock);
        SocketChannel vm = closeLater(TestClients.connect(sock));
        TestClients.assertEcho(vm, "hi");
        s.close();
        TestClients.assertClosedByServer(vm);
        assertFalse(Files.exists(sock));
    }

    @Test
    void handlerBugCostsOneConnectionOnly() throws Exception {
        Path sock = dir.resolve("q.sock");
        GvproxyServer s = start("-listen-qemu", "unix://" + sock);
        handler.failNextWithRuntimeException = true;
        try (SocketChannel bad = TestClients.connect(sock)) {
            TestClients.assertClosedByServer(bad);
        }
        TestClients.await("failed connection to end", () -> s.activeQemuConnections() == 0);
        try (SocketChannel good = TestClients.connect(sock)) {
            TestClients.assertEcho(good, "ok");
        }
        assertTrue(logText().contains("deliberate failure"), logText());
    }

    @Test
    void stdioEndOfInputExitsZero() throws Exception {
        Pipe toProxy = Pipe.open();
        Pipe fromProxy = Pipe.open();
        GvproxyServer s = start(() -> new StdioChannels(toProxy.source(), fromProxy.sink()), "-listen-stdio",
                "accept");
        toProxy.sink().write(ByteBuffer.wrap("frame".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer got = ByteBuffer.allocate(5);
        while (got.hasRemaining()) {
            fromProxy.source().read(got);
        }
        assertEquals("frame", new String(got.array(), StandardCharsets.UTF_8));
        toProxy.sink().close();
        assertEquals(0, s.awaitExit());
        assertTrue(logText().contains("gvproxy exiting: stdin closed"), logText());
        fromProxy.source().close();
    }

    @Test
    void openAfterCloseOpensNothing() throws Exception {
        Path pid = dir.resolve("gvproxy.pid");
        GvproxyServer s = new GvproxyServer(log);
        s.close();
        StartupException e = assertThrows(StartupException.class,
                () -> s.open(Options.of("-pid-file", pid.toString()), handler, null));
        assertEquals("gvproxy is shutting down", e.getMessage());
        assertFalse(Files.exists(pid));
    }

    @Test
    void noListenerIsWarned() throws Exception {
        start();
        assertTrue(logText().contains("level=warning msg=\"no VM listener configured"), logText());
    }
}
