package io.gvproxy.core.vswitch;

import io.gvproxy.core.net.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.gvproxy.core.vswitch.SwitchFixture.awaitTrue;
import static io.gvproxy.core.vswitch.SwitchFixture.awaitValue;
import static io.gvproxy.core.vswitch.SwitchFixture.expect;
import static io.gvproxy.core.vswitch.SwitchFixture.frame;
import static io.gvproxy.core.vswitch.SwitchFixture.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtualSwitchPortLifecycleTest {
    private SwitchFixture fx;

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
    }

    /** Records listener calls as strings, in order. */
    private static final class Events implements SwitchListener {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void macLearned(MacAddress mac, int portId) {
            calls.add("learned " + mac + " " + portId);
        }

        @Override
        public void macForgotten(MacAddress mac, int portId) {
            calls.add("forgotten " + mac + " " + portId);
        }
    }

    @Test
    void aPortWhoseSendFailsIsRemovedAndTheOthersStillGetTheBroadcast() throws Exception {
        fx = new SwitchFixture();
        Events events = new Events();
        fx.sw.addListener(events);
        TestLink a = fx.attach("a");
        TestLink dead = fx.attach("dead");
        TestLink c = fx.attach("c");
        byte[] fromDead = frame(MacAddress.BROADCAST, mac(2), "dead one speaks");
        dead.inject(fromDead);
        expect(a, fromDead);
        expect(c, fromDead);
        assertEquals(Map.of(mac(2), 1), fx.sw.cam());

        dead.failSends();
        byte[] bc = frame(MacAddress.BROADCAST, mac(1), "broadcast");
        a.inject(bc);
        expect(c, bc);
        awaitValue(1, () -> fx.detached.size(), "onDetached calls");
        assertEquals(1, fx.detached.getFirst().id());
        assertFalse(fx.detached.getFirst().isAttached());
        assertEquals(List.of(0, 2), fx.sw.ports().stream().map(SwitchPort::id).toList());
        assertEquals(Map.of(mac(1), 0), fx.sw.cam());
        assertTrue(events.calls.contains("forgotten " + mac(2) + " 1"), events.calls.toString());
        assertEquals(1, dead.closeCount());

        byte[] after = frame(MacAddress.BROADCAST, mac(1), "after the removal");
        a.inject(after);
        expect(c, after);
        assertFalse(fx.port(a).awaitStopped(0, TimeUnit.MILLISECONDS), "a live port reported stopped");
        assertTrue(fx.detached.getFirst().awaitStopped(SwitchFixture.WAIT_MS, TimeUnit.MILLISECONDS));
        assertEquals(1, fx.detached.size());
        assertEquals(1, fx.counters.get("switch.ports_detached"));
    }

    @Test
    void endOfStreamDetachesThePortOnce() throws Exception {
        fx = new SwitchFixture();
        TestLink a = fx.attach("a");
        TestLink b = fx.attach("b");
        byte[] bye = frame(MacAddress.BROADCAST, mac(1), "last words");
        a.inject(bye);
        a.endOfStream();
        expect(b, bye);
        awaitValue(1, () -> fx.detached.size(), "onDetached calls");
        assertEquals(List.of(1), fx.sw.ports().stream().map(SwitchPort::id).toList());
        assertEquals(Map.of(), fx.sw.cam());
        assertTrue(fx.detached.getFirst().awaitStopped(SwitchFixture.WAIT_MS, TimeUnit.MILLISECONDS));
        fx.port(b).close();
        awaitValue(2, () -> fx.detached.size(), "onDetached calls");
        fx.sw.close();
        assertEquals(2, fx.detached.size());
    }

    @Test
    void aReadFailureDetachesThePort() throws Exception {
        fx = new SwitchFixture();
        TestLink a = fx.attach("a");
        fx.attach("b");
        a.failReceives();
        awaitValue(1, () -> fx.detached.size(), "onDetached calls");
        assertEquals(0, fx.detached.getFirst().id());
        assertEquals(1, a.closeCount());
    }

    @Test
    void aSlowPortDropsItsOwnFramesWithoutStallingTheOthers() throws Exception {
        int depth = 8;
        fx = new SwitchFixture(depth);
        TestLink a = fx.attach("a");
        TestLink slow = fx.attach("slow");
        TestLink c = fx.attach("c");
        slow.blockSends();
        int n = 200;
        byte[] first = frame(MacAddress.BROADCAST, mac(1), "frame 0");
        a.inject(first);
        assertTrue(slow.awaitSendEntered(SwitchFixture.WAIT_MS), "slow port's writer never tried to send");
        expect(c, first);
        // Paced one at a time so that c's own small queue never fills: only the slow port may drop.
        for (int i = 1; i < n; i++) {
            byte[] f = frame(MacAddress.BROADCAST, mac(1), "frame " + i);
            a.inject(f);
            expect(c, f);
        }
        SwitchPort slowPort = fx.port(slow);
        assertTrue(slowPort.queued() <= depth, "queued " + slowPort.queued());
        // One frame is held by the blocked send, at most depth wait; the rest were dropped.
        assertTrue(slowPort.txDropped() >= n - 1 - depth, "dropped " + slowPort.txDropped());
        assertEquals(slowPort.txDropped(), fx.counters.get("switch.port.1.tx_dropped"));
        assertEquals(slowPort.txDropped(), fx.counters.get("switch.tx_dropped"));
        assertEquals(0, fx.port(c).txDropped());
        assertTrue(slowPort.isAttached());

        slow.unblockSends();
        long delivered = n - slowPort.txDropped();
        for (int i = 0; i < delivered; i++) {
            assertNotNull(slow.pollSent(SwitchFixture.WAIT_MS), "slow port frame " + i);
        }
        // The writer counts a batch after its send returns, which can be after the test saw the frames.
        awaitValue(delivered, () -> slowPort.framesOut(), "slow port frames out");
    }

    @Test
    void learnedFiresOncePerMacAndForgottenWhenItsPortGoes() throws Exception {
        fx = new SwitchFixture();
        Events events = new Events();
        fx.sw.addListener(events);
        TestLink a = fx.attach("a");
        TestLink b = fx.attach("b");
        for (int i = 0; i < 5; i++) {
            byte[] f = frame(MacAddress.BROADCAST, mac(1), "again " + i);
            a.inject(f);
            expect(b, f);
        }
        byte[] other = frame(MacAddress.BROADCAST, mac(3), "another mac on a");
        a.inject(other);
        expect(b, other);
        byte[] moved = frame(MacAddress.BROADCAST, mac(1), "moved to b");
        b.inject(moved);
        expect(a, moved);
        assertEquals(List.of("learned " + mac(1) + " 0", "learned " + mac(3) + " 0"), events.calls);

        fx.port(b).close();
        awaitValue(1, () -> fx.detached.size(), "onDetached calls");
        assertEquals(List.of("learned " + mac(1) + " 0", "learned " + mac(3) + " 0", "forgotten " + mac(1) + " 1"),
                events.calls);
        assertEquals(Map.of(mac(3), 0), fx.sw.cam());
    }

    @Test
    void closeDetachesEveryPortJoinsItsThreadsAndLeaksNoFrame() throws Exception {
        fx = new SwitchFixture(4);
        TestLink a = fx.attach("a");
        TestLink b = fx.attach("b");
        TestLink stuck = fx.attach("stuck");
        stuck.blockSends();
        for (int i = 0; i < 20; i++) {
            byte[] f = frame(MacAddress.BROADCAST, mac(1), "frame " + i);
            a.inject(f);
            expect(b, f);
        }
        assertTrue(stuck.awaitSendEntered(SwitchFixture.WAIT_MS));
        b.inject(frame(MacAddress.BROADCAST, mac(2), "x"));
        awaitTrue(() -> a.sentCount() == 1 && a.sendThread != null && b.receiveThread != null
                && stuck.receiveThread != null, "all threads running");
        List<Thread> threads = List.of(a.receiveThread, a.sendThread, b.receiveThread, b.sendThread,
                stuck.receiveThread, stuck.sendThread);

        fx.sw.close();
        for (Thread t : threads) {
            assertFalse(t.isAlive(), t.getName() + " still alive after close()");
        }
        assertEquals(3, fx.detached.size());
        assertEquals(List.of(), fx.sw.ports());
        assertEquals(Map.of(), fx.sw.cam());
        assertEquals(1, stuck.closeCount());
        assertEquals(fx.pool.allocatedCount(), fx.pool.idleCount(), "frames not returned to the pool");
        assertThrows(IllegalStateException.class, () -> fx.attach("late"));
        fx.sw.close();
        assertEquals(3, fx.detached.size());
    }

    @Test
    void closingTheSwitchFromAnOnDetachedCallbackDoesNotWaitForItself() throws Exception {
        fx = new SwitchFixture();
        TestLink other = fx.attach("other");
        TestLink a = new TestLink("a");
        CountDownLatch closed = new CountDownLatch(1);
        fx.sw.attach(a, fx.pool, p -> {
            fx.sw.close();
            closed.countDown();
        });
        long start = System.nanoTime();
        a.endOfStream();
        assertTrue(closed.await(SwitchFixture.WAIT_MS, TimeUnit.MILLISECONDS), "close() from the callback hung");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 3000, "close() from the callback took " + millis + " ms");
        assertEquals(1, other.closeCount());
        assertEquals(List.of(), fx.sw.ports());
    }

    @RepeatedTest(3)
    void concurrentTrafficFromEveryPortLeaksNoFrameAndCountsConsistently(RepetitionInfo rep) throws Exception {
        long seed = 0xC0FFEEL + rep.getCurrentRepetition();
        Random rnd = new Random(seed);
        fx = new SwitchFixture(64);
        int nPorts = 4;
        List<TestLink> links = new java.util.ArrayList<>();
        for (int i = 0; i < nPorts; i++) {
            links.add(fx.attach("p" + i));
        }
        long injectedBytes = 0;
        for (int n = 0; n < 2000; n++) {
            int from = rnd.nextInt(nPorts);
            MacAddress dst = switch (rnd.nextInt(4)) {
                case 0 -> MacAddress.BROADCAST;
                case 1 -> MacAddress.parse("33:33:00:00:00:01");
                case 2 -> SwitchFixture.GATEWAY;
                default -> mac(rnd.nextInt(nPorts + 2));
            };
            byte[] f = frame(dst, mac(from), "n" + n + "x".repeat(rnd.nextInt(200)));
            injectedBytes += f.length;
            links.get(from).inject(f);
        }
        long total = injectedBytes;
        awaitValue(total, fx.sw::bytesReceived, "bytesReceived, seed " + seed);
        awaitTrue(() -> fx.sw.ports().stream().allMatch(p -> p.queued() == 0), "queues drained, seed " + seed);
        List<SwitchPort> ports = fx.sw.ports();
        fx.sw.close();
        assertEquals(ports.stream().mapToLong(SwitchPort::bytesOut).sum(), fx.sw.bytesSent(),
                "bytesSent equals the sum of per-port bytes out, seed " + seed);
        assertEquals(total, ports.stream().mapToLong(SwitchPort::bytesIn).sum(), "seed " + seed);
        assertEquals(fx.pool.allocatedCount(), fx.pool.idleCount(), "frames leaked, seed " + seed);
    }
}
