package io.gvproxy.ffm;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibCTest {
    private final OsConstants k = Platform.current().constants();

    @Test
    void strerrorGivesTheCLibraryText() {
        assertEquals("No such file or directory", LibC.strerror(2));
        assertEquals("Message too long", LibC.strerror(90));
    }

    @Test
    void failedSocketCallCarriesErrnoAndText() {
        NativeException e = assertThrows(NativeException.class, () -> LibC.socket(12345, k.sockStream(), 0));
        assertEquals(97, e.errno());
        assertEquals("socket", e.operation());
        assertEquals("socket: Address family not supported by protocol (errno 97)", e.getMessage());
    }

    @Test
    void rawCallsReturnMinusErrno() {
        assertEquals(-9, LibC.closeRaw(-1), "EBADF");
        assertEquals(-2, LibC.unlinkRaw("/nonexistent-ffm-test/x"));
        assertEquals(-k.enoent(), LibC.openRaw("/nonexistent-ffm-test/x", OsConstants.Linux.O_RDWR));
    }

    @Test
    void errnoIsCapturedPerThread() throws Exception {
        // Two threads fail with different errnos in lock step; each must read its own.
        CountDownLatch both = new CountDownLatch(2);
        CompletableFuture<Integer> a = new CompletableFuture<>();
        CompletableFuture<Integer> b = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            both.countDown();
            await(both);
            int r = 0;
            for (int i = 0; i < 2000; i++) {
                r = LibC.closeRaw(-1);
                if (r != -9) {
                    break;
                }
            }
            a.complete(r);
        });
        Thread.ofPlatform().start(() -> {
            both.countDown();
            await(both);
            int r = 0;
            for (int i = 0; i < 2000; i++) {
                r = LibC.socketRaw(12345, k.sockStream(), 0);
                if (r != -97) {
                    break;
                }
            }
            b.complete(r);
        });
        assertEquals(-9, a.get(10, TimeUnit.SECONDS));
        assertEquals(-97, b.get(10, TimeUnit.SECONDS));
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void socketOptionsRoundTrip() throws Exception {
        int fd = LibC.socket(k.afUnix(), k.sockDgram() | k.sockCloexec(), 0);
        try {
            LibC.setsockoptInt(fd, k.solSocket(), k.soSndbuf(), 65536);
            assertEquals(131072, LibC.getsockoptInt(fd, k.solSocket(), k.soSndbuf()), "Linux doubles SO_SNDBUF");
        } finally {
            LibC.closeQuietly(fd);
        }
    }

    @Test
    void pollTimesOutAndReportsReadiness() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pair = a.allocate(ValueLayout.JAVA_INT, 2);
            LibC.check("socketpair", LibC.socketpairRaw(k.afUnix(), k.sockStream() | k.sockCloexec(), 0, pair));
            int x = pair.getAtIndex(ValueLayout.JAVA_INT, 0);
            int y = pair.getAtIndex(ValueLayout.JAVA_INT, 1);
            try {
                MemorySegment p = a.allocate(PollFd.LAYOUT);
                PollFd.set(p, 0, x, OsConstants.POLLIN);
                long t0 = System.nanoTime();
                assertEquals(0, LibC.pollRaw(p, 1, 50));
                assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(45));
                MemorySegment one = a.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 1);
                assertEquals(1, LibC.writeRaw(y, one, 1));
                assertEquals(1, LibC.pollRaw(p, 1, 1000));
                assertEquals(OsConstants.POLLIN, PollFd.revents(p, 0) & OsConstants.POLLIN);
            } finally {
                LibC.closeQuietly(x);
                LibC.closeQuietly(y);
            }
        }
    }
}
