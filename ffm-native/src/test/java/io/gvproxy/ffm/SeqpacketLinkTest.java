package io.gvproxy.ffm;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeqpacketLinkTest {
    @TempDir
    Path dir;

    private final Counters counters = new Counters();

    /** A connected (server, client) pair through a real listener. */
    private SeqpacketLink[] pair() throws Exception {
        Path path = dir.resolve("bess.sock");
        try (UnixSeqpacketListener l = UnixSeqpacketListener.bind(path, counters, "link.bess")) {
            CompletableFuture<SeqpacketLink> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return l.accept();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            SeqpacketLink client = SeqpacketLink.connect(path, counters, "test.client");
            return new SeqpacketLink[] {accepted.get(5, TimeUnit.SECONDS), client};
        }
    }

    static MemorySegment pattern(int size, int seed) {
        MemorySegment s = Arena.ofAuto().allocate(size);
        for (int i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {14, 1500, 65000})
    void eachMessageIsOneFrameBothWays(int size) throws Exception {
        SeqpacketLink[] p = pair();
        try {
            FramePool pool = new FramePool(70000, 4);
            p[1].send(pattern(size, 1));
            p[1].send(pattern(10, 2)); // a runt between two frames: counted and skipped
            p[1].send(pattern(size, 3));
            Frame f = pool.acquire();
            assertTrue(p[0].receive(f));
            assertArrayEquals(pattern(size, 1).toArray(ValueLayout.JAVA_BYTE), f.data().toArray(ValueLayout.JAVA_BYTE));
            assertTrue(p[0].receive(f));
            assertArrayEquals(pattern(size, 3).toArray(ValueLayout.JAVA_BYTE), f.data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals(1, counters.get("link.bess.rx_runt"));
            p[0].send(f.data());
            Frame g = pool.acquire();
            assertTrue(p[1].receive(g));
            assertEquals(size, g.length());
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void heapSegmentIsSentThroughScratch() throws Exception {
        SeqpacketLink[] p = pair();
        try {
            byte[] b = pattern(1500, 9).toArray(ValueLayout.JAVA_BYTE);
            p[1].send(MemorySegment.ofArray(b));
            Frame f = new FramePool(2000, 1).acquire();
            assertTrue(p[0].receive(f));
            assertArrayEquals(b, f.data().toArray(ValueLayout.JAVA_BYTE));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void oversizedMessageIsDetectedCountedAndDropped() throws Exception {
        SeqpacketLink[] p = pair();
        try {
            p[1].send(pattern(5000, 1));
            p[1].send(pattern(100, 2));
            Frame f = new FramePool(1600, 1).acquire();
            assertTrue(p[0].receive(f));
            assertEquals(100, f.length());
            assertEquals(1, counters.get("link.bess.rx_truncated"));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void sendLargerThanSocketBufferIsCountedNotThrown() throws Exception {
        SeqpacketLink[] p = pair();
        try {
            p[1].send(pattern(300_000, 1));
            assertEquals(1, counters.get("test.client.tx_too_large"));
            p[1].send(pattern(64, 1));
            Frame f = new FramePool(2000, 1).acquire();
            assertTrue(p[0].receive(f));
            assertEquals(64, f.length());
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void peerCloseIsEndOfStream() throws Exception {
        SeqpacketLink[] p = pair();
        try {
            p[1].send(pattern(60, 1));
            p[1].close();
            Frame f = new FramePool(2000, 1).acquire();
            assertTrue(p[0].receive(f));
            assertFalse(p[0].receive(f));
        } finally {
            p[0].close();
        }
    }

    @Test
    void closeWakesBlockedReceiverAndIsIdempotent() throws Exception {
        SeqpacketLink[] p = pair();
        try {
            Frame f = new FramePool(2000, 1).acquire();
            CompletableFuture<Boolean> r = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    r.complete(p[0].receive(f));
                } catch (Throwable e) {
                    r.completeExceptionally(e);
                }
            });
            Thread.sleep(200);
            assertFalse(r.isDone(), "receive must block while nothing is sent");
            long t0 = System.nanoTime();
            p[0].close();
            p[0].close();
            assertFalse(r.get(2, TimeUnit.SECONDS));
            t.join(2000);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            assertFalse(p[0].receive(f));
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> p[0].send(pattern(60, 1)));
        } finally {
            p[1].close();
        }
    }

    @Test
    void connectToMissingPathReportsErrnoText() {
        NativeException e = assertThrows(NativeException.class,
                () -> SeqpacketLink.connect(dir.resolve("missing.sock"), counters, "x"));
        assertEquals(2, e.errno());
        assertEquals("connect: No such file or directory (errno 2)", e.getMessage());
    }

    @Test
    void bindingAnExistingPathFailsAndCloseRemovesTheFile() throws Exception {
        Path path = dir.resolve("b.sock");
        UnixSeqpacketListener l = UnixSeqpacketListener.bind(path, counters, "x");
        assertTrue(Files.exists(path));
        NativeException e = assertThrows(NativeException.class, () -> UnixSeqpacketListener.bind(path, counters, "x"));
        assertEquals(98, e.errno());
        assertTrue(e.getMessage().startsWith("bind " + path + ": Address already in use"), e.getMessage());
        l.close();
        l.close();
        assertFalse(Files.exists(path));
    }

    @Test
    void closeWakesBlockedAccept() throws Exception {
        UnixSeqpacketListener l = UnixSeqpacketListener.bind(dir.resolve("a.sock"), counters, "x");
        CompletableFuture<Object> r = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                r.complete(l.accept());
            } catch (Throwable e) {
                r.completeExceptionally(e);
            }
        });
        Thread.sleep(200);
        assertFalse(r.isDone());
        l.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(2, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
    }
}
