package io.gvproxy.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.wire.Checksum;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SuperFrameTest {
    private final VirtioNetHeader header = new VirtioNetHeader(Arena.ofAuto().allocate(VirtioNetHeader.SIZE));

    /** What the guest hands over with TUN_F_CSUM: the checksum field holds the pseudo-header sum only. */
    private static void makePartial(MemorySegment f, int at, int field, int protocol) {
        int length = (int) f.byteSize() - at;
        f.set(SuperFrames.BE16, field, (short) Checksum.pseudoHeaderSum(SuperFrames.SRC, SuperFrames.DST, protocol, length));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void completesPartialTcpAndUdpChecksums(long seed) {
        Random r = new Random(seed);
        MemorySegment tcp = SuperFrames.tcp(SuperFrames.randomBytes(r, r.nextInt(3000)), 4 * r.nextInt(11), 0x18, r.nextInt(), 7);
        short expected = tcp.get(SuperFrames.BE16, 50);
        makePartial(tcp, 34, 50, 6);
        header.set(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 34, 16);
        assertTrue(SuperFrame.completeChecksum(tcp, (int) tcp.byteSize(), header), "seed " + seed);
        assertEquals(expected, tcp.get(SuperFrames.BE16, 50), "seed " + seed);

        MemorySegment udp = SuperFrames.udp(SuperFrames.randomBytes(r, 1 + r.nextInt(1400)));
        short udpExpected = udp.get(SuperFrames.BE16, 40);
        makePartial(udp, 34, 40, 17);
        header.set(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 34, 6);
        assertTrue(SuperFrame.completeChecksum(udp, (int) udp.byteSize(), header), "seed " + seed);
        assertEquals(udpExpected, udp.get(SuperFrames.BE16, 40), "seed " + seed);
    }

    @Test
    void leavesAFrameWithoutTheFlagAlone() {
        MemorySegment tcp = SuperFrames.tcp(new byte[100], 0, 0x10, 1, 1);
        MemorySegment before = Arena.ofAuto().allocate(tcp.byteSize()).copyFrom(tcp);
        header.clear();
        assertTrue(SuperFrame.completeChecksum(tcp, (int) tcp.byteSize(), header));
        assertEquals(-1, before.mismatch(tcp));
    }

    @Test
    void refusesAChecksumPositionOutsideTheFrame() {
        MemorySegment tcp = SuperFrames.tcp(new byte[10], 0, 0x10, 1, 1);
        int length = (int) tcp.byteSize();
        header.set(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, length, 0);
        assertFalse(SuperFrame.completeChecksum(tcp, length, header));
        header.set(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 34, length - 35);
        assertFalse(SuperFrame.completeChecksum(tcp, length, header));
        header.set(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 0xFFFF, 0xFFFF);
        assertFalse(SuperFrame.completeChecksum(tcp, length, header));
        header.set(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 34, 16);
        assertFalse(SuperFrame.completeChecksum(tcp, length + 1, header));
    }
}
