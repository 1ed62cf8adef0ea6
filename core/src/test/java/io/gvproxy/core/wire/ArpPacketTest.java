package io.gvproxy.core.wire;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArpPacketTest {
    @Test
    void roundTrip() {
        MemorySegment seg = MemorySegment.ofArray(new byte[40]);
        long sha = MacAddress.parse("5a:94:ef:e4:0c:dd").bits();
        long tha = MacAddress.parse("5a:94:ef:e4:0c:ee").bits();
        assertEquals(33, ArpPacket.write(seg, 5, ArpPacket.OP_REPLY, sha, Ipv4.parse("192.168.127.1"), tha, Ipv4.parse("192.168.127.2")));
        ArpPacket arp = new ArpPacket();
        assertNull(arp.wrap(seg, 5, 28));
        assertEquals(ArpPacket.HARDWARE_ETHERNET, arp.hardwareType());
        assertEquals(EtherType.IPV4, arp.protocolType());
        assertEquals(ArpPacket.OP_REPLY, arp.operation());
        assertEquals(sha, arp.senderHardwareAddress());
        assertEquals(Ipv4.parse("192.168.127.1"), arp.senderProtocolAddress());
        assertEquals(tha, arp.targetHardwareAddress());
        assertEquals(Ipv4.parse("192.168.127.2"), arp.targetProtocolAddress());
        assertFalse(arp.isGratuitous());
    }

    @Test
    void parsesRealRequest() {
        ArpPacket arp = new ArpPacket();
        assertNull(arp.wrap(WireFuzz.segment(RealPackets.ARP_REQUEST), 14, 28));
        assertEquals(ArpPacket.OP_REQUEST, arp.operation());
        assertEquals(MacAddress.parse("00:07:0d:af:f4:54").bits(), arp.senderHardwareAddress());
        assertEquals(Ipv4.parse("24.166.172.1"), arp.senderProtocolAddress());
        assertEquals(0, arp.targetHardwareAddress());
        assertEquals(Ipv4.parse("24.166.173.159"), arp.targetProtocolAddress());
    }

    @Test
    void rejectsOtherAddressTypesAndShortInput() {
        byte[] bad = RealPackets.l3(RealPackets.ARP_REQUEST);
        bad[5] = 16;
        assertEquals(Malformed.UNSUPPORTED_ADDRESS_TYPE, new ArpPacket().wrap(MemorySegment.ofArray(bad)));
        assertEquals(Malformed.TRUNCATED, new ArpPacket().wrap(MemorySegment.ofArray(new byte[27])));
    }

    @ParameterizedTest
    @ValueSource(longs = {21L, 22L})
    void fuzz(long seed) {
        WireFuzz.run(seed, List.of(RealPackets.l3(RealPackets.ARP_REQUEST)), new ArpPacket(), a -> {
            a.operation();
            a.senderHardwareAddress();
            a.senderProtocolAddress();
            a.targetHardwareAddress();
            a.targetProtocolAddress();
            assertTrue(a.length() >= ArpPacket.LENGTH);
        });
    }
}
