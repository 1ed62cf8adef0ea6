package io.gvproxy.ffm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The byte-channel adapter vsock sockets use, exercised over an AF_UNIX stream socketpair (this kernel has
 * no vsock loopback, so no vsock connection can be made here).
 */
class NativeStreamChannelTest {
    private NativeStreamChannel a;
    private NativeStreamChannel b;

    @BeforeEach
    void pair() throws Exception {
        Platform p = Platform.current();
        OsConstants k = p.constants();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            LibC.check("socketpair", LibC.socketpairRaw(k.afUnix(), k.sockStream() | k.sockCloexec(), 0, fds));
            a = new NativeStreamChannel(fds.getAtIndex(ValueLayout.JAVA_INT, 0), p);
            b = new NativeStreamChannel(fds.getAtIndex(ValueLayout.JAVA_INT, 1), p);
        }
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void megabytesFlowThroughDirectAndHeapBuffers() throws Exception {
        long seed = System.nanoTime();
        byte[] data = new byte[3 << 20];
        new Random(seed).nextBytes(data);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                ByteBuffer heap = ByteBuffer.wrap(data, 0, data.length / 2);
                ByteBuffer direct = ByteBuffer.allocateDirect(data.length - data.length / 2);
                direct.put(data, data.length / 2, direct.capacity()).flip();
                assertEquals(data.length / 2, a.write(heap));
                a.write(direct);
                a.shutdownOutput();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        byte[] got = new byte[data.length];
        int off = 0;
        ByteBuffer direct = ByteBuffer.allocateDirect(70000);
        boolean useHeap = false;
        for (;;) {
            int n;
            if (useHeap) {
                ByteBuffer h = ByteBuffer.wrap(got, off, Math.min(50000, got.length - off));
                n = b.read(h);
            } else {
                direct.clear();
                n = b.read(direct);
                if (n > 0) {
                    direct.flip().get(got, off, n);
                }
            }
            if (n < 0) {
                break;
            }
            off += n;
            useHeap = !useHeap;
        }
        writer.get(10, TimeUnit.SECONDS);
        assertEquals(data.length, off, "seed " + seed);
        assertArrayEquals(data, got, "seed " + seed);
    }

    @Test
    void readRespectsPositionAndLimit() throws Exception {
        a.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        ByteBuffer dst = ByteBuffer.allocateDirect(10).position(3).limit(5);
        assertEquals(2, b.read(dst));
        assertEquals(5, dst.position());
        assertEquals(1, dst.get(3));
        assertEquals(2, dst.get(4));
        assertEquals(0, b.read(dst), "no room: no call");
        assertThrows(IllegalArgumentException.class, () -> b.read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        CompletableFuture<Integer> r = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                r.complete(b.read(ByteBuffer.allocateDirect(100)));
            } catch (Throwable t) {
                r.completeExceptionally(t);
            }
        });
        Thread.sleep(200);
        assertFalse(r.isDone());
        b.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(2, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        assertFalse(b.isOpen());
        assertThrows(ClosedChannelException.class, () -> b.read(ByteBuffer.allocate(1)));
    }

    @Test
    void writeToAClosedPeerFailsWithEpipeNotASignal() throws Exception {
        b.close();
        NativeException e = assertThrows(NativeException.class, () -> {
            for (int i = 0; i < 100; i++) {
                a.write(ByteBuffer.allocate(65536));
            }
        });
        assertEquals(Platform.current().constants().epipe(), e.errno());
    }
}
