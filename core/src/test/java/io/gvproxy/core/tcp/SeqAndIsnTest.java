package io.gvproxy.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeqAndIsnTest {
    @Test
    void comparisonsWrapModulo2To32() {
        int nearTop = 0xFFFF_FFF0;
        int wrapped = 0x0000_0010;
        assertTrue(Seq.lt(nearTop, wrapped));
        assertTrue(Seq.gt(wrapped, nearTop));
        assertTrue(Seq.leq(wrapped, wrapped));
        assertTrue(Seq.geq(wrapped, wrapped));
        assertFalse(Seq.lt(wrapped, nearTop));
        assertEquals(0x20, Seq.diff(wrapped, nearTop));
        assertEquals(wrapped, Seq.max(nearTop, wrapped));
        assertEquals(nearTop, Seq.min(nearTop, wrapped));
        assertTrue(Seq.inWindow(wrapped, nearTop, 0x21));
        assertFalse(Seq.inWindow(wrapped, nearTop, 0x20));
        assertFalse(Seq.inWindow(nearTop - 1, nearTop, 100));
    }

    @Test
    void widenGivesMonotonicPositionsAcrossTheWrap() {
        int base = 0xFFFF_FF00;
        long ref = 10;
        int refSeq = base + 10;
        assertEquals(10 + 0x200, Seq.widen(refSeq + 0x200, ref, refSeq));
        assertEquals(10 - 5, Seq.widen(refSeq - 5, ref, refSeq));
    }

    @Test
    void sipHashMatchesTheReferenceVector() {
        // SipHash-2-4 paper, key 00..0f, message 00..0f
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        assertEquals(0x3f2acc7f57c29bdbL, SipHash.hash(k0, k1, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L));
    }

    @Test
    void isnIsKeyedByTupleAndAdvancesWithTheClock() {
        IsnGenerator g = new IsnGenerator(1, 2);
        int a = g.isn(0x0A000001, 1000, 0x0A000002, 80, 0);
        assertEquals(a, new IsnGenerator(1, 2).isn(0x0A000001, 1000, 0x0A000002, 80, 0), "deterministic");
        assertNotEquals(a, g.isn(0x0A000001, 1001, 0x0A000002, 80, 0), "port changes F");
        assertNotEquals(a, new IsnGenerator(1, 3).isn(0x0A000001, 1000, 0x0A000002, 80, 0), "key changes F");
        // M is a 4 microsecond tick
        assertEquals(a + 1, g.isn(0x0A000001, 1000, 0x0A000002, 80, 4_000));
        assertEquals(a + 250_000, g.isn(0x0A000001, 1000, 0x0A000002, 80, 1_000_000_000));
    }
}
