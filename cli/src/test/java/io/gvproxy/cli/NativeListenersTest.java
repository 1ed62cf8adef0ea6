package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.ffm.SeqpacketLink;
import io.gvproxy.ffm.UnixDatagramLink;
import io.gvproxy.ffm.UnixSeqpacketListener;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** -listen-bess and -listen-vfkit in GvproxyServer: single peer, reconnect, socket files. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NativeListenersTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.DEBUG, Clock.systemUTC());
    private final RecordingHandler handler = new RecordingHandler();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final FramePool pool = new FramePool(2048, 4);

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
        GvproxyServer s = GvproxyServer.start(Options.of(args), handler, log, () -> {
            throw new AssertionError("stdio not expected");
        });
        toClose.add(s);
        return s;
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    /** A 60-byte Ethernet-sized frame carrying {@code tag} after the header. */
    private static byte[] frame(String tag) {
        byte[] f = new byte[60];
        byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, f, 14, t.length);
        f[0] = (byte) 0xff;
        return f;
    }

    private void assertBessEcho(SeqpacketLink vm, String tag) throws Exception {
        vm.send(MemorySegment.ofArray(frame(tag)));
        Frame got = pool.acquire();
        try {
            assertTrue(vm.receive(got), "link ended instead of echoing " + tag);
            assertArrayEquals(frame(tag), got.data().toArray(ValueLayout.JAVA_BYTE));
        } finally {
            got.release();
        }
    }

    private boolean bessClosedByServer(SeqpacketLink vm) throws Exception {
        Frame got = pool.acquire();
        try {
            return !vm.receive(got);
        } finally {
            got.release();
        }
    }

    @Test
    void bessServesOneVmAtATimeAndTheNextAfterItLeaves() throws Exception {
        Path sock = dir.resolve("b.sock");
        GvproxyServer s = start("-listen-bess", "unixpacket://" + sock);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));
        SeqpacketLink first = closeLater(SeqpacketLink.connect(sock, new Counters(), "vm"));
        assertBessEcho(first, "one");
        RecordingHandler.Call c1 = handler.next();
        assertEquals("bess", c1.kind());

        SeqpacketLink second = closeLater(SeqpacketLink.connect(sock, new Counters(), "vm"));
        assertTrue(bessClosedByServer(second), "a second VM must be refused while one is connected");
        assertBessEcho(first, "still alive");
        assertEquals(1, s.activeBessConnections());

        first.close();
        TestClients.await("first bess VM to be gone", () -> s.activeBessConnections() == 0);
        SeqpacketLink third = closeLater(SeqpacketLink.connect(sock, new Counters(), "vm"));
        assertBessEcho(third, "three");
        RecordingHandler.Call c3 = handler.next();
        assertEquals("bess", c3.kind());
        assertTrue(logText().contains("bess: VM disconnected: " + c1.peer()), logText());
        assertTrue(logText().contains("bess: refusing connection"), logText());

        s.close();
        assertFalse(Files.exists(sock), "socket file must be removed at close");
        assertTrue(bessClosedByServer(third), "close must disconnect the VM");
    }

    @Test
    void staleBessSocketIsReplacedAndLiveOneRefused() throws Exception {
        Path sock = dir.resolve("b.sock");
        // A crashed process leaves its file: bind through the listener, then remove nothing but the socket.
        UnixSeqpacketListener live = closeLater(UnixSeqpacketListener.bind(sock, new Counters(), "x"));
        StartupException e = assertThrows(StartupException.class, () -> start("-listen-bess", "unixpacket://" + sock));
        assertEquals("listen unixpacket " + sock + ": bind: address already in use (another process is using it)",
                e.getMessage());
        live.close();
        assertFalse(Files.exists(sock));

        Path stale = dir.resolve("stale.sock");
        try (DatagramVm leftover = new DatagramVm(stale)) {
            // a datagram socket file with nobody behind it once closed
        }
        assertTrue(Files.exists(stale));
        start("-listen-bess", "unixpacket://" + stale);
        assertTrue(logText().contains("removed stale socket " + stale), logText());
        SeqpacketLink vm = closeLater(SeqpacketLink.connect(stale, new Counters(), "vm"));
        assertBessEcho(vm, "after stale");
    }

    @Test
    void regularFileIsNotReplacedForBessOrVfkit() throws Exception {
        Path file = Files.writeString(dir.resolve("f.sock"), "data");
        StartupException b = assertThrows(StartupException.class, () -> start("-listen-bess", "unixpacket://" + file));
        assertEquals("listen unixpacket " + file + ": bind: address already in use (file exists and is not a socket)",
                b.getMessage());
        StartupException v = assertThrows(StartupException.class, () -> start("-listen-vfkit", "unixgram://" + file));
        assertEquals("listen unixgram " + file + ": bind: address already in use (file exists and is not a socket)",
                v.getMessage());
        assertEquals("data", Files.readString(file));
    }

    @Test
    void vfkitLearnsPeerFromFirstFrameWithoutHello() throws Exception {
        Path sock = dir.resolve("v.sock");
        GvproxyServer s = start("-listen-vfkit", "unixgram://" + sock);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));
        DatagramVm vm = closeLater(new DatagramVm(dir.resolve("vm.sock")));
        vm.sendTo(sock, frame("first"));
        assertArrayEquals(frame("first"), vm.receive());
        RecordingHandler.Call c = handler.next();
        assertEquals(new RecordingHandler.Call("vfkit", dir.resolve("vm.sock").toString()), c);
        vm.sendTo(sock, frame("second"));
        assertArrayEquals(frame("second"), vm.receive());
        s.close();
        assertFalse(Files.exists(sock), "socket file must be removed at close");
    }

    @Test
    void vfkitHelloIsConsumed() throws Exception {
        Path sock = dir.resolve("v.sock");
        start("-listen-vfkit", "unixgram://" + sock);
        DatagramVm vm = closeLater(new DatagramVm(dir.resolve("vm.sock")));
        vm.sendTo(sock, "VFKT".getBytes(StandardCharsets.US_ASCII));
        vm.sendTo(sock, frame("after hello"));
        assertArrayEquals(frame("after hello"), vm.receive(), "VFKT must not be echoed as a frame");
    }

    @Test
    void staleVfkitSocketIsReplacedAndLiveOneRefused() throws Exception {
        Path sock = dir.resolve("v.sock");
        UnixDatagramLink live = closeLater(UnixDatagramLink.bind(sock, new Counters(), "x"));
        StartupException e = assertThrows(StartupException.class, () -> start("-listen-vfkit", "unixgram://" + sock));
        assertEquals("listen unixgram " + sock + ": bind: address already in use (another process is using it)",
                e.getMessage());
        live.close();

        Path stale = dir.resolve("stale.sock");
        try (DatagramVm leftover = new DatagramVm(stale)) {
            // closed at once: the file stays with nobody bound
        }
        start("-listen-vfkit", "unixgram://" + stale);
        assertTrue(logText().contains("removed stale socket " + stale), logText());
        DatagramVm vm = closeLater(new DatagramVm(dir.resolve("vm.sock")));
        vm.sendTo(stale, frame("x"));
        assertArrayEquals(frame("x"), vm.receive());
    }
}
