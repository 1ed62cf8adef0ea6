package io.gvproxy.ffm;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fd is released only after the last user left; fd -1 stands in, so no real descriptor is closed. */
class FdHandleTest {
    @Test
    void closeWhileInUseDefersTheReleaseToTheLastExit() {
        List<String> events = new ArrayList<>();
        FdHandle h = new FdHandle(-1, () -> events.add("released"));
        assertTrue(h.tryEnter());
        assertTrue(h.close(fd -> events.add("wake " + fd)));
        assertEquals(List.of("wake -1"), events, "woken, not released, while a user is inside");
        assertFalse(h.isOpen());
        assertFalse(h.tryEnter());
        assertThrows(ClosedChannelException.class, h::enter);
        assertFalse(h.close(fd -> events.add("second wake")));
        h.exit();
        assertEquals(List.of("wake -1", "released"), events);
    }

    @Test
    void closeWithoutUsersReleasesAtOnce() {
        AtomicInteger released = new AtomicInteger();
        FdHandle h = new FdHandle(-1, released::incrementAndGet);
        assertTrue(h.close(fd -> { }));
        assertEquals(1, released.get());
    }

    @RepeatedTest(20)
    void concurrentUsersAndClosersReleaseExactlyOnceAfterEveryone(RepetitionInfo rep) throws Exception {
        long seed = 0x5eed_0000L + rep.getCurrentRepetition();
        Random rnd = new Random(seed);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger released = new AtomicInteger();
        AtomicInteger insideAtRelease = new AtomicInteger(-1);
        FdHandle h = new FdHandle(-1, () -> {
            insideAtRelease.set(inside.get());
            released.incrementAndGet();
        });
        int users = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < users; t++) {
            int spins = 1 + rnd.nextInt(2000);
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                for (int i = 0; i < spins && h.tryEnter(); i++) {
                    inside.incrementAndGet();
                    Thread.onSpinWait();
                    inside.decrementAndGet();
                    h.exit();
                }
            }));
        }
        int closeAfter = rnd.nextInt(500);
        threads.add(Thread.ofPlatform().start(() -> {
            await(start);
            for (int i = 0; i < closeAfter; i++) {
                Thread.onSpinWait();
            }
            h.close(fd -> { });
        }));
        threads.add(Thread.ofPlatform().start(() -> {
            await(start);
            h.close(fd -> { });
        }));
        start.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertEquals(1, released.get(), "seed " + seed);
        assertEquals(0, insideAtRelease.get(), "released while a user was inside, seed " + seed);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
