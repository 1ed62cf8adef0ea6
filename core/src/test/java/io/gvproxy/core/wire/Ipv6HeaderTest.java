package io.gvproxy.core.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv6HeaderTest {
    @Test
    void roundTrip() {
        MemorySegment seg = MemorySegment.ofArray(new byte[70]);
        assertEquals(42, Ipv6Header.writeHeader(seg, 2, 0xB8, 0xABCDE, 20, IpProtocol.TCP, 63,
                0xFD00_0000_0000_0000L, 2L, 0xFD00_0000_0000_0000L, 1L));
        Ipv6Header ip6 = new Ipv6Header();
        assertNull(ip6.wrap(seg, 2, 60));
        assertEquals(6, ip6.version());
        assertEquals(0xB8, ip6.trafficClass());
        assertEquals(0xABCDE, ip6.flowLabel());
        assertEquals(20, ip6.payloadLength());
        assertEquals(IpProtocol.TCP, ip6.nextHeader());
        assertEquals(63, ip6.hopLimit());
        assertEquals(0xFD00_0000_0000_0000L, ip6.sourceHigh());
        assertEquals(2L, ip6.sourceLow());
        assertEquals(0xFD00_0000_0000_0000L, ip6.destinationHigh());
        assertEquals(1L, ip6.destinationLow());
        assertEquals(42, ip6.payloadOffset());
        byte[] dst = new byte[16];
        dst[0] = (byte) 0xFD;
        dst[15] = 1;
        assertArrayEquals(dst, ip6.destinationAddress());
    }

    @Test
    void parsesRouterSolicitation() {
        Ipv6Header ip6 = new Ipv6Header();
        assertNull(ip6.wrap(WireFuzz.segment(RealPackets.IPV6_ROUTER_SOLICITATION), 14, 56));
        assertEquals(IpProtocol.ICMPV6, ip6.nextHeader());
        assertEquals(255, ip6.hopLimit());
        assertEquals(16, ip6.payloadLength());
        assertEquals(0xFE80_0000_0000_0000L, ip6.sourceHigh());
        assertEquals(0xFF02_0000_0000_0000L, ip6.destinationHigh());
        assertEquals(2L, ip6.destinationLow());
    }

    @Test
    void malformed() {
        byte[] l3 = RealPackets.l3(RealPackets.IPV6_ROUTER_SOLICITATION);
        assertEquals(Malformed.TRUNCATED, new Ipv6Header().wrap(MemorySegment.ofArray(l3), 0, 39));
        assertEquals(Malformed.TRUNCATED, new Ipv6Header().wrap(MemorySegment.ofArray(l3), 0, 55), "payload length 16 > 15");
        l3[0] = 0x45;
        assertEquals(Malformed.BAD_VERSION, new Ipv6Header().wrap(MemorySegment.ofArray(l3)));
    }

    @ParameterizedTest
    @ValueSource(longs = {71L, 72L})
    void fuzz(long seed) {
        WireFuzz.run(seed, List.of(RealPackets.l3(RealPackets.IPV6_ROUTER_SOLICITATION)), new Ipv6Header(), ip6 -> {
            ip6.trafficClass();
            ip6.flowLabel();
            ip6.nextHeader();
            ip6.hopLimit();
            ip6.sourceAddress();
            ip6.destinationAddress();
            assertTrue(ip6.payloadOffset() + ip6.payloadLength() <= ip6.offset() + ip6.length());
        });
    }
}
