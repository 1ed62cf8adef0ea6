package io.gvproxy.core.wire;

import io.gvproxy.core.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4PacketTest {
    private static final int SRC = Ipv4.parse("192.168.127.2");
    private static final int DST = Ipv4.parse("192.168.127.1");

    @Test
    void roundTrip() {
        MemorySegment seg = MemorySegment.ofArray(new byte[100]);
        assertEquals(27, Ipv4Packet.writeHeader(seg, 7, 0xB8, 60, 0xBEEF, Ipv4Packet.FLAG_MF, 1480, 17, IpProtocol.UDP, SRC, DST));
        Ipv4Packet ip = new Ipv4Packet();
        assertNull(ip.wrap(seg, 7, 90));
        assertEquals(4, ip.version());
        assertEquals(20, ip.headerLength());
        assertEquals(0xB8, ip.dscpEcn());
        assertEquals(60, ip.totalLength());
        assertEquals(0xBEEF, ip.identification());
        assertFalse(ip.dontFragment());
        assertTrue(ip.moreFragments());
        assertEquals(1480, ip.fragmentOffset());
        assertTrue(ip.isFragment());
        assertEquals(17, ip.ttl());
        assertEquals(IpProtocol.UDP, ip.protocol());
        assertEquals(SRC, ip.sourceAddress());
        assertEquals(DST, ip.destinationAddress());
        assertEquals(27, ip.payloadOffset());
        assertEquals(40, ip.payloadLength());
        assertTrue(ip.headerChecksumValid());

        Ipv4Packet.writeHeader(seg, 0, 0, 20, 1, Ipv4Packet.FLAG_DF, 0, 64, IpProtocol.TCP, SRC, DST);
        assertNull(ip.wrap(seg, 0, 20));
        assertTrue(ip.dontFragment());
        assertFalse(ip.isFragment());
        assertEquals(0, ip.payloadLength());
    }

    @Test
    void parsesRealPackets() {
        Ipv4Packet ip = new Ipv4Packet();
        assertNull(ip.wrap(WireFuzz.segment(RealPackets.ICMP_ECHO_REQUEST), 14, RealPackets.ICMP_ECHO_REQUEST.length - 14));
        assertEquals(0x44, ip.totalLength());
        assertEquals(0xA7DB, ip.identification());
        assertTrue(ip.dontFragment());
        assertEquals(64, ip.ttl());
        assertEquals(IpProtocol.ICMP, ip.protocol());
        assertEquals(0x94DB, ip.headerChecksum());
        assertTrue(ip.headerChecksumValid());
        assertEquals(Ipv4.parse("127.0.0.1"), ip.sourceAddress());

        byte[] wikipedia = WireFuzz.hex("450000730000400040 11 b861 c0a80001 c0a800c7");
        assertEquals(Malformed.TRUNCATED, ip.wrap(MemorySegment.ofArray(wikipedia)), "total length 0x73 exceeds the 20 bytes");
        byte[] whole = java.util.Arrays.copyOf(wikipedia, 0x73);
        assertNull(ip.wrap(MemorySegment.ofArray(whole)));
        assertTrue(ip.headerChecksumValid());
        assertEquals(Ipv4.parse("192.168.0.199"), ip.destinationAddress());
    }

    @Test
    void skipsOptionsAndIgnoresEthernetPadding() {
        // IHL 6: a 4-byte Router Alert option (RFC 2113) before an 8-byte payload, then 10 bytes of padding.
        byte[] b = WireFuzz.hex("46000020000100000102 0000 0a000001 e0000016 94040000 1100f9ff e0000016 00000000000000000000");
        MemorySegment seg = MemorySegment.ofArray(b);
        WireView.put16(seg, 10, Checksum.checksum(seg, 0, 24));
        Ipv4Packet ip = new Ipv4Packet();
        assertNull(ip.wrap(seg));
        assertEquals(24, ip.headerLength());
        assertEquals(24, ip.payloadOffset());
        assertEquals(8, ip.payloadLength());
        assertTrue(ip.headerChecksumValid());
    }

    @Test
    void malformedReasons() {
        Ipv4Packet ip = new Ipv4Packet();
        byte[] b = RealPackets.l3(RealPackets.ICMP_ECHO_REQUEST);
        assertEquals(Malformed.TRUNCATED, ip.wrap(MemorySegment.ofArray(b), 0, 19));
        byte[] v6 = b.clone();
        v6[0] = 0x65;
        assertEquals(Malformed.BAD_VERSION, ip.wrap(MemorySegment.ofArray(v6)));
        byte[] ihl = b.clone();
        ihl[0] = 0x44;
        assertEquals(Malformed.BAD_HEADER_LENGTH, ip.wrap(MemorySegment.ofArray(ihl)));
        byte[] total = b.clone();
        total[3] = 19;
        assertEquals(Malformed.BAD_TOTAL_LENGTH, ip.wrap(MemorySegment.ofArray(total)));
        byte[] longIhl = b.clone();
        longIhl[0] = 0x4F;
        assertEquals(Malformed.TRUNCATED, ip.wrap(MemorySegment.ofArray(longIhl), 0, 40));
        byte[] sum = b.clone();
        sum[10] ^= 1;
        assertNull(ip.wrap(MemorySegment.ofArray(sum)));
        assertFalse(ip.headerChecksumValid());
    }

    @Test
    void settersKeepChecksumValid() {
        MemorySegment seg = MemorySegment.ofArray(RealPackets.l3(RealPackets.ICMP_ECHO_REQUEST));
        Ipv4Packet ip = new Ipv4Packet();
        assertNull(ip.wrap(seg));
        ip.setSourceAddress(SRC);
        ip.setDestinationAddress(DST);
        ip.setTtl(1);
        assertEquals(SRC, ip.sourceAddress());
        assertEquals(DST, ip.destinationAddress());
        assertEquals(1, ip.ttl());
        assertEquals(IpProtocol.ICMP, ip.protocol());
        assertTrue(ip.headerChecksumValid());
    }

    @ParameterizedTest
    @ValueSource(longs = {31L, 32L})
    void fuzz(long seed) {
        List<byte[]> samples = List.of(RealPackets.l3(RealPackets.ICMP_ECHO_REQUEST), RealPackets.l3(RealPackets.TCP_SYN),
                RealPackets.l3(RealPackets.UDP_DNS_QUERY));
        WireFuzz.run(seed, samples, new Ipv4Packet(), ip -> {
            ip.version();
            ip.dscpEcn();
            ip.identification();
            ip.dontFragment();
            ip.moreFragments();
            ip.fragmentOffset();
            ip.ttl();
            ip.protocol();
            ip.sourceAddress();
            ip.destinationAddress();
            ip.headerChecksumValid();
            assertTrue(ip.headerLength() >= 20 && ip.payloadLength() >= 0);
            assertTrue(ip.payloadOffset() + ip.payloadLength() <= ip.offset() + ip.length());
        });
    }
}
