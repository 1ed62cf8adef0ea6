package io.gvproxy.core.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Icmpv4PacketTest {
    @Test
    void echoRoundTrip() {
        MemorySegment seg = MemorySegment.ofArray(new byte[64]);
        for (int i = 0; i < 13; i++) {
            seg.set(ValueLayout.JAVA_BYTE, 9 + 8 + i, (byte) (i * 7));
        }
        assertEquals(9 + 8 + 13, Icmpv4Packet.write(seg, 9, IcmpType.ECHO_REQUEST, 0, Icmpv4Packet.echoRest(0xABCD, 0x0102), 13));
        Icmpv4Packet icmp = new Icmpv4Packet();
        assertNull(icmp.wrap(seg, 9, 21));
        assertEquals(IcmpType.ECHO_REQUEST, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0xABCD, icmp.echoIdentifier());
        assertEquals(0x0102, icmp.echoSequence());
        assertEquals(0xABCD0102, icmp.restOfHeader());
        assertEquals(17, icmp.payloadOffset());
        assertEquals(13, icmp.payloadLength());
        assertTrue(icmp.checksumValid());
    }

    @Test
    void fragmentationNeededAndTimeExceededRoundTrip() {
        MemorySegment seg = MemorySegment.ofArray(new byte[8 + 28]);
        MemorySegment.copy(RealPackets.ICMP_ECHO_REQUEST, 14, seg, ValueLayout.JAVA_BYTE, 8, 28);
        Icmpv4Packet.write(seg, 0, IcmpType.DEST_UNREACHABLE, IcmpType.CODE_FRAGMENTATION_NEEDED,
                Icmpv4Packet.fragmentationNeededRest(1400), 28);
        Icmpv4Packet icmp = new Icmpv4Packet();
        assertNull(icmp.wrap(seg));
        assertEquals(IcmpType.DEST_UNREACHABLE, icmp.type());
        assertEquals(IcmpType.CODE_FRAGMENTATION_NEEDED, icmp.code());
        assertEquals(1400, icmp.nextHopMtu());
        assertTrue(icmp.checksumValid());
        Ipv4Packet inner = new Ipv4Packet();
        assertEquals(Malformed.TRUNCATED, inner.wrap(seg, icmp.payloadOffset(), icmp.payloadLength()),
                "an ICMP error quotes only the start of the datagram");

        Icmpv4Packet.write(seg, 0, IcmpType.TIME_EXCEEDED, IcmpType.CODE_TTL_EXCEEDED_IN_TRANSIT, 0, 28);
        assertNull(icmp.wrap(seg));
        assertEquals(IcmpType.TIME_EXCEEDED, icmp.type());
        assertEquals(0, icmp.restOfHeader());
        assertTrue(icmp.checksumValid());
    }

    @Test
    void parsesRealEchoRequestAndReply() {
        Icmpv4Packet icmp = new Icmpv4Packet();
        assertNull(icmp.wrap(MemorySegment.ofArray(RealPackets.l4(RealPackets.ICMP_ECHO_REQUEST))));
        assertEquals(IcmpType.ECHO_REQUEST, icmp.type());
        assertEquals(1234, icmp.echoIdentifier());
        assertEquals(1, icmp.echoSequence());
        assertEquals(0x345A, icmp.checksum());
        assertEquals(40, icmp.payloadLength());
        assertTrue(icmp.checksumValid());
        byte[] requestPayload = icmp.segment().asSlice(icmp.payloadOffset(), 40).toArray(ValueLayout.JAVA_BYTE);

        assertNull(icmp.wrap(MemorySegment.ofArray(RealPackets.l4(RealPackets.ICMP_ECHO_REPLY))));
        assertEquals(IcmpType.ECHO_REPLY, icmp.type());
        assertEquals(1234, icmp.echoIdentifier());
        assertTrue(icmp.checksumValid());
        assertArrayEquals(requestPayload, icmp.segment().asSlice(icmp.payloadOffset(), 40).toArray(ValueLayout.JAVA_BYTE));

        // The kernel's reply equals a request rewritten with type 0 and an incrementally updated checksum.
        assertEquals(0x3C5A, Checksum.update(0x345A, IcmpType.ECHO_REQUEST << 8, IcmpType.ECHO_REPLY << 8));
    }

    @Test
    void corruptedChecksumFailsAndShortInputIsTruncated() {
        byte[] b = RealPackets.l4(RealPackets.ICMP_ECHO_REQUEST);
        b[20] ^= 0x40;
        Icmpv4Packet icmp = new Icmpv4Packet();
        assertNull(icmp.wrap(MemorySegment.ofArray(b)));
        assertFalse(icmp.checksumValid());
        assertEquals(Malformed.TRUNCATED, icmp.wrap(MemorySegment.ofArray(b), 0, 7));
    }

    @ParameterizedTest
    @ValueSource(longs = {41L, 42L})
    void fuzz(long seed) {
        WireFuzz.run(seed, List.of(RealPackets.l4(RealPackets.ICMP_ECHO_REQUEST), RealPackets.l4(RealPackets.ICMP_ECHO_REPLY)),
                new Icmpv4Packet(), icmp -> {
                    icmp.type();
                    icmp.code();
                    icmp.checksum();
                    icmp.restOfHeader();
                    icmp.echoIdentifier();
                    icmp.echoSequence();
                    icmp.nextHopMtu();
                    icmp.checksumValid();
                    assertTrue(icmp.payloadLength() >= 0);
                });
    }
}
