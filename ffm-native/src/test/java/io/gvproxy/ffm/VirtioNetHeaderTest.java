package io.gvproxy.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class VirtioNetHeaderTest {
    @Test
    void fieldsSitWhereVirtioNetHdrPutsThemInHostOrder() {
        MemorySegment seg = Arena.ofAuto().allocate(VirtioNetHeader.SIZE);
        VirtioNetHeader h = new VirtioNetHeader(seg);
        h.set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN, 66, 1448, 34, 16);
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
        assertEquals(1, seg.get(ValueLayout.JAVA_BYTE, 0));
        assertEquals((byte) 0x81, seg.get(ValueLayout.JAVA_BYTE, 1));
        assertEquals(66, seg.get(u16, 2));
        assertEquals(1448, seg.get(u16, 4));
        assertEquals(34, seg.get(u16, 6));
        assertEquals(16, seg.get(u16, 8));
        assertEquals(0, seg.get(u16, 10));
        assertTrue(h.needsChecksum());
        assertEquals(0x81, h.gsoType());
        assertEquals(66, h.hdrLen());
        assertEquals(1448, h.gsoSize());
        assertEquals(34, h.csumStart());
        assertEquals(16, h.csumOffset());
    }

    @Test
    void readsUnsignedValuesAndClears() {
        MemorySegment seg = Arena.ofAuto().allocate(VirtioNetHeader.SIZE);
        VirtioNetHeader h = new VirtioNetHeader(seg).set(0xFF, 0xFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF);
        assertEquals(0xFF, h.flags());
        assertEquals(65535, h.gsoSize());
        assertEquals(65535, h.csumStart());
        h.clear();
        assertEquals(0, h.flags());
        assertEquals(VirtioNetHeader.GSO_NONE, h.gsoType());
        assertFalse(h.needsChecksum());
        assertEquals(0, h.csumOffset());
    }

    @Test
    void refusesASegmentShorterThanTheHeader() {
        assertThrows(IllegalArgumentException.class, () -> new VirtioNetHeader(Arena.ofAuto().allocate(10)));
    }
}
