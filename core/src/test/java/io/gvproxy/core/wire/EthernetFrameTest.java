package io.gvproxy.core.wire;

import io.gvproxy.core.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EthernetFrameTest {
    @Test
    void roundTrip() {
        MemorySegment seg = MemorySegment.ofArray(new byte[64]);
        long dst = MacAddress.parse("5a:94:ef:e4:0c:dd").bits();
        long src = MacAddress.parse("5a:94:ef:e4:0c:ee").bits();
        assertEquals(17, EthernetFrame.writeHeader(seg, 3, dst, src, EtherType.IPV6));
        EthernetFrame eth = new EthernetFrame();
        assertNull(eth.wrap(seg, 3, 60));
        assertEquals(dst, eth.destination());
        assertEquals(src, eth.source());
        assertEquals(EtherType.IPV6, eth.etherType());
        assertEquals(17, eth.payloadOffset());
        assertEquals(46, eth.payloadLength());
    }

    @Test
    void parsesRealArpFrame() {
        EthernetFrame eth = new EthernetFrame();
        assertNull(eth.wrap(WireFuzz.segment(RealPackets.ARP_REQUEST)));
        assertEquals(MacAddress.BROADCAST.bits(), eth.destination());
        assertEquals(MacAddress.parse("00:07:0d:af:f4:54").bits(), eth.source());
        assertEquals(EtherType.ARP, eth.etherType());
        assertEquals(28, eth.payloadLength());
    }

    @Test
    void shortFrameIsTruncatedAndViewIsCleared() {
        EthernetFrame eth = new EthernetFrame();
        assertEquals(Malformed.TRUNCATED, eth.wrap(MemorySegment.ofArray(new byte[13])));
        assertThrows(IndexOutOfBoundsException.class, eth::etherType);
        assertEquals(Malformed.OUT_OF_BOUNDS, eth.wrap(MemorySegment.ofArray(new byte[20]), 10, 14));
    }

    @ParameterizedTest
    @ValueSource(longs = {11L, 12L})
    void fuzz(long seed) {
        var tally = WireFuzz.run(seed, List.of(RealPackets.ARP_REQUEST, RealPackets.TCP_SYN), new EthernetFrame(), e -> {
            e.destination();
            e.source();
            e.etherType();
            assertTrue(e.payloadOffset() + e.payloadLength() == e.offset() + e.length());
        });
        assertTrue(tally.valid() > 1000);
    }
}
