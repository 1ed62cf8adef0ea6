package io.gvproxy.core.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChecksumTest {
    /** RFC 1071 done the textbook way: 16-bit big-endian words, odd byte padded, carries folded at the end. */
    static int referenceSum(byte[] data, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((data[off + i] & 0xFF) << 8) | (data[off + i + 1] & 0xFF);
        }
        if ((len & 1) != 0) {
            sum += (data[off + len - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    @Test
    void rfc1071Example() {
        byte[] data = WireFuzz.hex("0001f203f4f5f6f7");
        assertEquals(0xDDF2, Checksum.sum(MemorySegment.ofArray(data), 0, 8));
        assertEquals(0x220D, Checksum.checksum(MemorySegment.ofArray(data), 0, 8));
    }

    @Test
    void realIpv4HeaderVerifiesAndRecomputes() {
        byte[] header = WireFuzz.hex("450000730000400040 11 b861 c0a80001 c0a800c7");
        MemorySegment seg = MemorySegment.ofArray(header);
        assertEquals(0xFFFF, Checksum.sum(seg, 0, 20));
        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, 10, (short) 0);
        assertEquals(0xB861, Checksum.checksum(seg, 0, 20));
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 0xC0FFEEL, 20261128L})
    void matchesReferenceAtRandomOffsetsAndLengths(long seed) {
        Random rnd = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offHeap = arena.allocate(70_000);
            for (int n = 0; n < 2_000; n++) {
                int len = n % 10 == 0 ? rnd.nextInt(66_000) : rnd.nextInt(200);
                int off = rnd.nextInt(64);
                byte[] data = new byte[off + len + rnd.nextInt(16)];
                rnd.nextBytes(data);
                if (rnd.nextInt(8) == 0) {
                    java.util.Arrays.fill(data, (byte) 0xFF);
                }
                int initial = rnd.nextInt(0x10000);
                int expected = fold(referenceSum(data, off, len) + initial);
                MemorySegment.copy(data, 0, offHeap, ValueLayout.JAVA_BYTE, 0, data.length);
                assertEquals(expected, Checksum.sum(offHeap, off, len, initial), "seed=" + seed + " n=" + n + " off=" + off + " len=" + len);
                assertEquals(expected, Checksum.sum(MemorySegment.ofArray(data), off, len, initial), "seed=" + seed + " heap n=" + n);
            }
        }
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    @ParameterizedTest
    @ValueSource(longs = {7L, 99L})
    void incrementalUpdateMatchesFullRecompute(long seed) {
        Random rnd = new Random(seed);
        for (int n = 0; n < 5_000; n++) {
            int words = 2 + rnd.nextInt(40);
            byte[] data = new byte[words * 2];
            rnd.nextBytes(data);
            data[0] |= 1; // keeps the data non-zero before and after the edit, where 0 and 0xFFFF coincide
            MemorySegment seg = MemorySegment.ofArray(data);
            int before = Checksum.checksum(seg, 0, data.length);
            int at = 2 + 2 * rnd.nextInt(words - 1);
            int oldWord = WireView.u16(seg, at);
            int newWord = rnd.nextInt(0x10000);
            WireView.put16(seg, at, newWord);
            assertEquals(Checksum.checksum(seg, 0, data.length), Checksum.update(before, oldWord, newWord), "seed=" + seed + " n=" + n);

            if (words >= 3) {
                int before32 = Checksum.checksum(seg, 0, data.length);
                int at32 = 2 + 2 * rnd.nextInt(words - 2);
                int oldInt = seg.get(WireView.U32, at32);
                int newInt = rnd.nextInt();
                seg.set(WireView.U32, at32, newInt);
                assertEquals(Checksum.checksum(seg, 0, data.length), Checksum.update32(before32, oldInt, newInt), "seed=" + seed + " n=" + n);
            }
        }
    }

    @Test
    void pseudoHeaderMatchesItsTwelveBytes() {
        byte[] pseudo = WireFuzz.hex("c0a87f02 5db8d822 00 06 05dc");
        assertEquals(referenceSum(pseudo, 0, 12),
                Checksum.pseudoHeaderSum(0xC0A87F02, 0x5DB8D822, IpProtocol.TCP, 1500));
    }

    @Test
    void combinesPiecesWithAdd() {
        byte[] data = new byte[100];
        new Random(3).nextBytes(data);
        MemorySegment seg = MemorySegment.ofArray(data);
        assertEquals(Checksum.sum(seg, 0, 100), Checksum.add(Checksum.sum(seg, 0, 38), Checksum.sum(seg, 38, 62)));
    }

    @Test
    void rejectsRangeOutsideSegment() {
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(seg, 4, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(seg, -1, 2));
    }
}
