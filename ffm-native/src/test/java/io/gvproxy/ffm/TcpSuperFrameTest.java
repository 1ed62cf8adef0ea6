package io.gvproxy.ffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.wire.Checksum;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class TcpSuperFrameTest {
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    private static final int CWR = 0x80;

    private final TcpSuperFrame superFrame = new TcpSuperFrame();

    @RepeatedTest(200)
    void segmentsReassembleToTheSuperFrameWithValidHeaders(RepetitionInfo info) {
        long seed = 0x5EED0000L + info.getCurrentRepetition();
        Random r = new Random(seed);
        String why = "seed " + seed;
        int options = 4 * r.nextInt(11);
        byte[] payload = SuperFrames.randomBytes(r, 1 + r.nextInt(65535 - 20 - 20 - options));
        int flags = ACK | (r.nextBoolean() ? PSH : 0) | (r.nextBoolean() ? FIN : 0) | (r.nextBoolean() ? CWR : 0);
        int seq = r.nextInt();
        int id = r.nextInt(0x10000);
        int mss = 88 + r.nextInt(9000);
        MemorySegment frame = SuperFrames.tcp(payload, options, flags, seq, id);
        assertTrue(superFrame.wrap(frame, (int) frame.byteSize(), mss), why);
        int n = superFrame.segmentCount();
        assertEquals((payload.length + mss - 1) / mss, n, why);
        MemorySegment out = Arena.ofAuto().allocate(superFrame.maxSegmentLength());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int tcpHeader = 20 + options;
        for (int i = 0; i < n; i++) {
            int len = superFrame.write(i, out);
            String at = why + ", segment " + i + " of " + n;
            int dataLen = len - 34 - tcpHeader;
            assertTrue(dataLen > 0 && dataLen <= mss, at);
            assertEquals(i < n - 1 ? mss : payload.length - (n - 1) * mss, dataLen, at);
            assertEquals(len - 14, out.get(SuperFrames.BE16, 16) & 0xFFFF, at + ": total length");
            assertEquals((id + i) & 0xFFFF, out.get(SuperFrames.BE16, 18) & 0xFFFF, at + ": identification");
            assertEquals(0, Checksum.checksum(out, 14, 20), at + ": IPv4 header checksum");
            assertEquals(0, Checksum.finish(Checksum.sum(out, 34, len - 34,
                    Checksum.pseudoHeaderSum(SuperFrames.SRC, SuperFrames.DST, 6, len - 34))) & 0xFFFF, at + ": TCP checksum");
            assertEquals(seq + i * mss, out.get(SuperFrames.BE32, 38), at + ": sequence");
            int f = out.get(ValueLayout.JAVA_BYTE, 47) & 0xFF;
            boolean last = i == n - 1;
            assertEquals(last ? flags & (FIN | PSH) : 0, f & (FIN | PSH), at + ": FIN/PSH");
            assertEquals(i == 0 ? flags & CWR : 0, f & CWR, at + ": CWR");
            assertEquals(ACK, f & ACK, at);
            joined.write(out.asSlice(34 + tcpHeader, dataLen).toArray(ValueLayout.JAVA_BYTE), 0, dataLen);
        }
        assertArrayEquals(payload, joined.toByteArray(), why);
    }

    @Test
    void aFrameWithoutPayloadIsOneSegment() {
        MemorySegment frame = SuperFrames.tcp(new byte[0], 12, ACK | FIN, 5, 9);
        assertTrue(superFrame.wrap(frame, (int) frame.byteSize(), 1448));
        assertEquals(1, superFrame.segmentCount());
        MemorySegment out = Arena.ofAuto().allocate(superFrame.maxSegmentLength());
        assertEquals(frame.byteSize(), superFrame.write(0, out));
        assertEquals(-1, frame.mismatch(out));
    }

    @Test
    void partialChecksumIsThePseudoHeaderSumAndSizesFollowTheMtu() {
        MemorySegment frame = SuperFrames.tcp(new byte[20000], 12, ACK, 5, 9);
        assertTrue(superFrame.wrapForMtu(frame, (int) frame.byteSize(), 1500));
        assertEquals(1500 - 20 - 32, superFrame.segmentSize());
        assertTrue(superFrame.needsSegments());
        assertEquals(34, superFrame.tcpOffset());
        assertEquals(14 + 20 + 32, superFrame.headersLength());
        superFrame.toPartialChecksum();
        int expected = Checksum.pseudoHeaderSum(SuperFrames.SRC, SuperFrames.DST, 6, 32 + 20000);
        assertEquals(expected, frame.get(SuperFrames.BE16, 50) & 0xFFFF);
        // completing the partial checksum as a device would restores a valid one
        VirtioNetHeader h = new VirtioNetHeader(Arena.ofAuto().allocate(VirtioNetHeader.SIZE))
                .set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 66, 1448, 34, 16);
        assertTrue(SuperFrame.completeChecksum(frame, (int) frame.byteSize(), h));
        assertEquals(0, Checksum.finish(Checksum.sum(frame, 34, 32 + 20000, expected)) & 0xFFFF);
    }

    @Test
    void refusesWhatIsNotAConsistentTcpIpv4Frame() {
        MemorySegment good = SuperFrames.tcp(new byte[3000], 0, ACK, 1, 1);
        int len = (int) good.byteSize();
        assertFalse(superFrame.wrap(good, len, 0), "mss 0");
        assertFalse(superFrame.wrap(good, len + 1, 1448), "length beyond the buffer");
        assertFalse(superFrame.wrap(good, 40, 1448), "runt");
        MemorySegment udp = SuperFrames.udp(new byte[3000]);
        assertFalse(superFrame.wrap(udp, (int) udp.byteSize(), 1448), "UDP");
        MemorySegment bad = copy(good);
        bad.set(SuperFrames.BE16, 12, (short) 0x86DD);
        assertFalse(superFrame.wrap(bad, len, 1448), "IPv6 EtherType");
        bad = copy(good);
        bad.set(SuperFrames.BE16, 16, (short) (len - 13));
        assertFalse(superFrame.wrap(bad, len, 1448), "IP total length beyond the frame");
        bad = copy(good);
        bad.set(SuperFrames.BE16, 20, (short) 0x2000);
        assertFalse(superFrame.wrap(bad, len, 1448), "fragment");
        bad = copy(good);
        bad.set(ValueLayout.JAVA_BYTE, 46, (byte) 0x40);
        assertFalse(superFrame.wrap(bad, len, 1448), "TCP data offset under 20");
        bad = copy(good);
        bad.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x44);
        assertFalse(superFrame.wrap(bad, len, 1448), "IHL under 20");
        assertTrue(superFrame.wrap(good, len, 1448));
    }

    private static MemorySegment copy(MemorySegment s) {
        return Arena.ofAuto().allocate(s.byteSize()).copyFrom(s);
    }
}
