package io.gvproxy.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BufferStructuresTest {
    private static final TcpBufferBudget BUDGET = new TcpBufferBudget(64L << 20);

    @Test
    void ringKeepsLiveBytesWhenGrowingAcrossTheWrap() {
        ByteRing ring = new ByteRing(1 << 16, 0, BUDGET);
        byte[] data = TcpTestContext.bytes(3000, 7);
        long pos = 4096 - 1000; // wraps the initial 4 KiB ring
        ring.ensure(pos, pos + 3000);
        ring.write(pos, MemorySegment.ofArray(data), 0, 3000);
        ring.ensure(pos, pos + 9000);
        assertEquals(16384, ring.size());
        byte[] back = new byte[3000];
        ring.read(pos, MemorySegment.ofArray(back), 0, 3000);
        assertArrayEquals(data, back);
    }

    @Test
    void mirrorMakesRunsAcrossTheWrapContiguous() {
        ByteRing ring = new ByteRing(1 << 16, 1500, BUDGET);
        byte[] data = TcpTestContext.bytes(3000, 9);
        long pos = 3000;
        ring.ensure(pos, pos + 3000);
        ring.write(pos, MemorySegment.ofArray(data), 0, 3000);
        assertEquals(4096 + 1500 - 3000, ring.contiguous(pos));
        byte[] run = ring.view().asSlice(ring.index(pos), ring.contiguous(pos)).toArray(
                java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertArrayEquals(java.util.Arrays.copyOf(data, run.length), run);
        // growing keeps the mirror valid
        ring.ensure(pos, pos + 6000);
        assertEquals(8192, ring.size());
        byte[] back = new byte[3000];
        ring.read(pos, MemorySegment.ofArray(back), 0, 3000);
        assertArrayEquals(data, back);
    }

    @Test
    void sendBufferIsBoundedAndReleasesAcknowledgedBytes() {
        SendBuffer b = new SendBuffer(5000, 1460, BUDGET);
        MemorySegment src = MemorySegment.ofArray(new byte[8000]);
        assertEquals(5000, b.write(src, 0, 8000));
        assertEquals(0, b.write(src, 0, 1));
        assertEquals(2000, b.release(2000));
        assertEquals(0, b.release(1000), "release never goes back");
        assertEquals(2000, b.free());
    }

    @Test
    void outOfOrderRangesMergeAndStayBounded() {
        OutOfOrderRanges r = new OutOfOrderRanges(2);
        assertTrue(r.add(100, 200));
        assertTrue(r.add(300, 400));
        assertFalse(r.add(500, 600), "a third disjoint range exceeds the bound");
        assertTrue(r.add(200, 300), "bridging merges into one range");
        assertEquals(1, r.count());
        assertEquals(100, r.start(0));
        assertEquals(400, r.end(0));
        assertEquals(50, r.advance(50), "not reachable yet");
        assertEquals(400, r.advance(100));
        assertTrue(r.isEmpty());
    }

    @Test
    void outOfOrderRangesReportMostRecentFirst() {
        OutOfOrderRanges r = new OutOfOrderRanges(8);
        r.add(100, 200);
        r.add(500, 600);
        r.add(300, 400);
        assertEquals(300, r.start(r.byRecency(0)));
        assertEquals(500, r.start(r.byRecency(1)));
        assertEquals(100, r.start(r.byRecency(2)));
        r.add(150, 250);
        assertEquals(100, r.start(r.byRecency(0)), "growing a range makes it the most recent");
    }

    @Test
    void receiveBufferReassemblesRandomArrivalOrder() {
        Random rnd = new Random(42);
        byte[] data = TcpTestContext.bytes(20_000, 3);
        ReceiveBuffer b = new ReceiveBuffer(32_768, 64, BUDGET);
        MemorySegment src = MemorySegment.ofArray(data);
        for (int i = 0; i < 400 && b.next() < data.length; i++) {
            int off = (int) b.next() + rnd.nextInt(3000);
            int len = Math.min(1 + rnd.nextInt(1500), data.length - off);
            if (len > 0) {
                b.store(off, src, off, len);
            }
        }
        b.store(b.next(), src, b.next(), (int) (data.length - b.next()));
        byte[] out = new byte[data.length];
        assertEquals(data.length, b.read(MemorySegment.ofArray(out), 0, out.length));
        assertArrayEquals(data, out);
    }

    @Test
    void scoreboardLossAndPipeFollowRfc6675() {
        SackScoreboard sb = new SackScoreboard();
        int mss = 100;
        // una = 1, segments of 100: [1,101) lost, [101,401) SACKed, [401,501) unknown, [501,601) SACKed
        assertTrue(sb.add(101, 401));
        assertTrue(sb.add(501, 601));
        assertFalse(sb.add(150, 250), "nothing new");
        assertTrue(sb.isLost(1, mss), "400 bytes SACKed above exceed (DupThresh-1) * SMSS");
        assertFalse(sb.isLost(401, mss), "only 100 bytes SACKed above");
        assertEquals(401, sb.nextUnsacked(101));
        assertEquals(501, sb.nextSacked(401, 10_000));
        // pipe: hole [1,101) is lost (not counted), hole [401,501) counts 100, [601,701) counts 100
        assertEquals(200, sb.pipe(1, 701, 1, mss));
        // after retransmitting [1,101) it counts once more
        assertEquals(300, sb.pipe(1, 701, 101, mss));
        sb.prune(451);
        assertEquals(501, sb.start(0));
    }
}
