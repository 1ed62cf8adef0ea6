package io.gvproxy.core.wire;

import io.gvproxy.core.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpDatagramTest {
    private static final int SRC = Ipv4.parse("192.168.127.2");
    private static final int DST = Ipv4.parse("192.168.127.1");

    @Test
    void roundTrip() {
        MemorySegment seg = MemorySegment.ofArray(new byte[80]);
        byte[] payload = new byte[37];
        new Random(5).nextBytes(payload);
        MemorySegment.copy(payload, 0, seg, ValueLayout.JAVA_BYTE, 11 + 8, payload.length);
        assertEquals(11 + 45, UdpDatagram.write(seg, 11, 68, 67, 37, SRC, DST));
        UdpDatagram udp = new UdpDatagram();
        assertNull(udp.wrap(seg, 11, 45));
        assertEquals(68, udp.sourcePort());
        assertEquals(67, udp.destinationPort());
        assertEquals(45, udp.datagramLength());
        assertEquals(19, udp.payloadOffset());
        assertEquals(37, udp.payloadLength());
        assertNotEquals(0, udp.checksum());
        assertTrue(udp.checksumValid(SRC, DST));
        assertFalse(udp.checksumValid(SRC, DST + 1));
    }

    @Test
    void zeroComputedChecksumIsSentAsAllOnes() {
        // Payload chosen so the one's complement sum is 0xFFFF: header + pseudo-header + payload word.
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        int pseudo = Checksum.pseudoHeaderSum(SRC, DST, IpProtocol.UDP, 10);
        int headerSum = Checksum.add(Checksum.add(1000, 2000), 10);
        int word = ~Checksum.add(pseudo, headerSum) & 0xFFFF;
        WireView.put16(seg, 8, word);
        UdpDatagram.write(seg, 0, 1000, 2000, 2, SRC, DST);
        UdpDatagram udp = new UdpDatagram();
        assertNull(udp.wrap(seg));
        assertEquals(0xFFFF, udp.checksum());
        assertTrue(udp.checksumValid(SRC, DST));
    }

    @Test
    void parsesRealDnsQuery() {
        UdpDatagram udp = new UdpDatagram();
        byte[] l4 = RealPackets.l4(RealPackets.UDP_DNS_QUERY);
        assertNull(udp.wrap(MemorySegment.ofArray(l4)));
        assertEquals(33709, udp.sourcePort());
        assertEquals(48701, udp.destinationPort());
        assertEquals(53, udp.datagramLength());
        assertEquals(45, udp.payloadLength());
        assertEquals(0x1A2B, WireView.u16(udp.segment(), udp.payloadOffset()), "DNS transaction id");
        // Captured with checksum offload: the field holds the pseudo-header sum the NIC would complete.
        int loopback = Ipv4.parse("127.0.0.1");
        assertEquals(Checksum.pseudoHeaderSum(loopback, loopback, IpProtocol.UDP, 53), udp.checksum());
        UdpDatagram.write(udp.segment(), 0, udp.sourcePort(), udp.destinationPort(), 45, loopback, loopback);
        assertTrue(udp.checksumValid(loopback, loopback));
    }

    @Test
    void malformedLengths() {
        byte[] l4 = RealPackets.l4(RealPackets.UDP_DNS_QUERY);
        UdpDatagram udp = new UdpDatagram();
        assertEquals(Malformed.TRUNCATED, udp.wrap(MemorySegment.ofArray(l4), 0, 52));
        l4[5] = 7;
        l4[4] = 0;
        assertEquals(Malformed.BAD_TOTAL_LENGTH, udp.wrap(MemorySegment.ofArray(l4)));
        assertEquals(Malformed.TRUNCATED, udp.wrap(MemorySegment.ofArray(l4), 0, 7));
    }

    @ParameterizedTest
    @ValueSource(longs = {51L, 52L})
    void fuzz(long seed) {
        WireFuzz.run(seed, List.of(RealPackets.l4(RealPackets.UDP_DNS_QUERY)), new UdpDatagram(), udp -> {
            udp.sourcePort();
            udp.destinationPort();
            udp.checksum();
            udp.checksumValid(SRC, DST);
            assertTrue(udp.payloadLength() >= 0 && udp.payloadOffset() + udp.payloadLength() <= udp.offset() + udp.length());
        });
    }
}
