package io.gvproxy.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TcpSegmentTest {
    @Test
    void fieldsRoundTripAndClearResetsThem() {
        byte[] frame = TcpTestContext.bytes(100, 3);
        TcpSegment s = new TcpSegment().seq(-5).ack(7).flags(TcpFlags.SYN | TcpFlags.ACK).window(0x1FFFF)
                .mss(1460).windowScale(7).sackPermitted(true).timestamps(11, 22).addSackBlock(1, 2)
                .payload(MemorySegment.ofArray(frame), 40, 20);
        assertEquals(-5, s.seq());
        assertEquals(0xFFFF, s.window(), "16-bit field");
        assertTrue(s.syn() && s.ackFlag() && !s.fin() && !s.rst());
        assertEquals(21, s.sequenceLength(), "payload plus SYN");
        assertEquals(1, s.sackBlockCount());
        byte[] copy = new byte[20];
        s.copyPayloadTo(MemorySegment.ofArray(copy), 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(frame, 40, 60), copy);
        assertEquals(frame[45], s.payloadByte(5));
        TcpSegment other = new TcpSegment().copyFrom(s);
        assertEquals(s.toString(), other.toString());
        s.clear();
        assertEquals(-1, s.mss());
        assertEquals(-1, s.windowScale());
        assertFalse(s.sackPermitted() || s.hasTimestamps());
        assertEquals(0, s.payloadLength());
        assertEquals(0, s.sackBlockCount());
    }

    @Test
    void resetRepliesFollowRfc9293() {
        TcpSegment reply = new TcpSegment();
        assertTrue(ResetReply.fill(new TcpSegment().seq(100).flags(TcpFlags.SYN), reply));
        assertEquals(TcpFlags.RST | TcpFlags.ACK, reply.flags());
        assertEquals(0, reply.seq());
        assertEquals(101, reply.ack(), "the SYN counts");
        assertTrue(ResetReply.fill(new TcpSegment().seq(100).ack(555).flags(TcpFlags.ACK)
                .payload(MemorySegment.ofArray(new byte[10])), reply));
        assertEquals(TcpFlags.RST, reply.flags());
        assertEquals(555, reply.seq());
        assertFalse(ResetReply.fill(new TcpSegment().flags(TcpFlags.RST | TcpFlags.ACK), reply),
                "a reset is never answered");
    }

    @Test
    void configRejectsImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> TcpConfig.builder().sendBufferBytes(Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> TcpConfig.builder().receiveBufferBytes((1 << 30) + 1));
        assertThrows(IllegalArgumentException.class, () -> TcpConfig.builder().mss(10));
        assertThrows(IllegalArgumentException.class,
                () -> TcpConfig.builder().minRtoNanos(5_000_000_000L).maxRtoNanos(1_000_000_000L).build());
        assertEquals(14, TcpConfig.builder().receiveBufferBytes(1 << 30).build().receiveWindowShift());
        assertEquals(0, TcpConfig.builder().receiveBufferBytes(1 << 30).windowScaling(false).build()
                .receiveWindowShift());
    }

    @Test
    void atMostFourSackBlocksAreKept() {
        TcpSegment s = new TcpSegment();
        for (int i = 0; i < 6; i++) {
            s.addSackBlock(i * 10, i * 10 + 5);
        }
        assertEquals(TcpSegment.MAX_SACK_BLOCKS, s.sackBlockCount());
        assertEquals(30, s.sackLeft(3));
    }

    @Test
    void payloadOutsideItsSourceIsRejected() {
        MemorySegment src = MemorySegment.ofArray(new byte[10]);
        assertThrows(IndexOutOfBoundsException.class, () -> new TcpSegment().payload(src, 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> new TcpSegment().payload(src, -1, 2));
    }
}
