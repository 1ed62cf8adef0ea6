package io.gvproxy.core.vswitch;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.net.MacAddress;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static io.gvproxy.core.vswitch.SwitchFixture.frame;
import static io.gvproxy.core.vswitch.SwitchFixture.mac;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The switching path is run for every frame: once warm, it must not allocate. */
class VirtualSwitchAllocationTest {
    private static final int WARM_UP = 200_000;
    private static final int MEASURED = 100_000;

    @Test
    void switchingAFrameAllocatesNothingOnceWarm() throws Exception {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "per-thread allocation counting is unavailable");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) threads;
        try (SwitchFixture fx = new SwitchFixture()) {
            TestLink a = fx.attach("a");
            TestLink b = fx.attach("b");
            TestLink c = fx.attach("c");
            byte[] learnB = frame(MacAddress.BROADCAST, mac(2), "b is here");
            b.inject(learnB);
            SwitchFixture.expect(a, learnB);
            SwitchPort from = fx.port(a);
            // Writers parked in a blocked send leave the queues full and their locks uncontended, so what is
            // measured is the switching itself (a contended lock may allocate a wait node).
            for (TestLink l : new TestLink[] {a, b, c}) {
                l.blockSends();
            }
            Frame[] frames = {
                    fx.pool.copyOf(MemorySegment.ofArray(frame(mac(2), mac(1), "known unicast"))),
                    fx.pool.copyOf(MemorySegment.ofArray(frame(mac(9), mac(1), "unknown unicast"))),
                    fx.pool.copyOf(MemorySegment.ofArray(frame(MacAddress.parse("33:33:00:00:00:01"), mac(1), "mc"))),
            };
            try {
                run(fx, from, frames, WARM_UP);
                long tid = Thread.currentThread().threadId();
                long before = mx.getThreadAllocatedBytes(tid);
                run(fx, from, frames, MEASURED);
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                // A little slack for a stray safepoint or deoptimisation; a per-frame allocation would be megabytes.
                assertTrue(allocated < 64 * 1024, "switching " + MEASURED + " frames allocated " + allocated + " bytes");
            } finally {
                for (Frame f : frames) {
                    f.release();
                }
            }
        }
    }

    private static void run(SwitchFixture fx, SwitchPort from, Frame[] frames, int n) {
        for (int i = 0; i < n; i++) {
            fx.sw.switchFromPort(from, frames[i % frames.length]);
        }
    }
}
