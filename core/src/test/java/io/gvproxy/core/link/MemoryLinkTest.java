package io.gvproxy.core.link;

import org.junit.jupiter.api.Timeout;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemoryLinkTest {
    private final FramePool pool = FramePool.forMtu(1500);

    private static CompletableFuture<Void> sendAsync(Link link, byte[] frame) {
        return CompletableFuture.runAsync(() -> {
            try {
                link.send(Frames.segment(frame));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static CompletableFuture<Boolean> receiveAsync(Link link, Frame into) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return link.receive(into);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void framesCrossInBothDirections() throws IOException {
        Counters counters = new Counters();
        MemoryLink[] p = MemoryLink.pair(4, pool, counters);
        Frame into = pool.acquire();
        p[0].send(Frames.segment(Frames.frame(60, 1)));
        p[1].send(Frames.segment(Frames.frame(1518, 2)));
        assertTrue(p[1].receive(into));
        assertArrayEquals(Frames.frame(60, 1), into.data().toArray(ValueLayout.JAVA_BYTE));
        assertTrue(p[0].receive(into));
        assertArrayEquals(Frames.frame(1518, 2), into.data().toArray(ValueLayout.JAVA_BYTE));
        assertEquals(1, counters.get("link.memory-a.frames_out"));
        assertEquals(1518, counters.get("link.memory-a.bytes_in"));
        into.release();
    }

    @Test
    void fullQueueBlocksTheSenderUntilTheReceiverTakes() throws Exception {
        MemoryLink[] p = MemoryLink.pair(2, pool);
        p[0].send(Frames.segment(Frames.frame(60, 1)));
        p[0].send(Frames.segment(Frames.frame(60, 2)));
        CompletableFuture<Void> third = sendAsync(p[0], Frames.frame(60, 3));
        Thread.sleep(200);
        assertFalse(third.isDone(), "the third send must wait for room");
        assertEquals(2, p[1].queued());
        Frame into = pool.acquire();
        assertTrue(p[1].receive(into));
        third.get(5, TimeUnit.SECONDS);
        for (int i = 2; i <= 3; i++) {
            assertTrue(p[1].receive(into));
            assertArrayEquals(Frames.frame(60, i), into.data().toArray(ValueLayout.JAVA_BYTE));
        }
        into.release();
    }

    @Test
    void closeWakesThePeersReceive() throws Exception {
        MemoryLink[] p = MemoryLink.pair(2, pool);
        Frame into = pool.acquire();
        CompletableFuture<Boolean> r = receiveAsync(p[1], into);
        Thread.sleep(100);
        assertFalse(r.isDone());
        p[0].close();
        assertFalse(r.get(5, TimeUnit.SECONDS));
        assertThrows(ClosedChannelException.class, () -> p[1].send(Frames.segment(Frames.frame(60, 1))));
        assertThrows(ClosedChannelException.class, () -> p[0].send(Frames.segment(Frames.frame(60, 1))));
        into.release();
    }

    @Test
    void closeWakesOwnReceive() throws Exception {
        MemoryLink[] p = MemoryLink.pair(2, pool);
        Frame into = pool.acquire();
        CompletableFuture<Boolean> r = receiveAsync(p[0], into);
        Thread.sleep(100);
        p[0].close();
        assertFalse(r.get(5, TimeUnit.SECONDS));
        into.release();
    }

    @Test
    void closeWakesABlockedSender() throws Exception {
        MemoryLink[] p = MemoryLink.pair(1, pool);
        p[0].send(Frames.segment(Frames.frame(60, 1)));
        CompletableFuture<Void> blocked = sendAsync(p[0], Frames.frame(60, 2));
        Thread.sleep(100);
        assertFalse(blocked.isDone());
        p[1].close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(5, TimeUnit.SECONDS));
        assertInstanceOf(ClosedChannelException.class, e.getCause().getCause());
    }

    @Test
    void framesSentBeforeCloseAreStillDelivered() throws IOException {
        MemoryLink[] p = MemoryLink.pair(4, pool);
        p[0].send(Frames.segment(Frames.frame(60, 1)));
        p[0].close();
        Frame into = pool.acquire();
        assertTrue(p[1].receive(into));
        assertFalse(p[1].receive(into));
        into.release();
    }

    @Test
    void buffersGoBackToThePool() throws IOException {
        FramePool own = new FramePool(2048, 16);
        MemoryLink[] p = MemoryLink.pair(8, own);
        Frame into = own.acquire();
        for (int i = 0; i < 1000; i++) {
            p[0].send(Frames.segment(Frames.frame(100, i)));
            assertTrue(p[1].receive(into));
        }
        p[0].send(Frames.segment(Frames.frame(100, 1)));
        p[1].close();
        into.release();
        assertTrue(own.allocatedCount() <= 3, "allocated " + own.allocatedCount());
        assertEquals(own.allocatedCount(), own.idleCount(), "every buffer returned, including the one queued at close");
    }

    @Test
    void oversizedFramesAreCountedNotQueued() throws IOException {
        Counters counters = new Counters();
        MemoryLink[] p = MemoryLink.pair(4, new FramePool(9018, 4), counters);
        p[0].send(Frames.segment(new byte[9019]));
        assertEquals(1, counters.get("link.memory-a.send_too_large"));
        p[0].send(Frames.segment(Frames.frame(9000, 1)));
        p[0].send(Frames.segment(Frames.frame(60, 2)));
        Frame small = pool.acquire();
        assertTrue(p[1].receive(small));
        assertArrayEquals(Frames.frame(60, 2), small.data().toArray(ValueLayout.JAVA_BYTE));
        assertEquals(1, counters.get("link.memory-b.frames_too_large"));
        small.release();
    }
}
