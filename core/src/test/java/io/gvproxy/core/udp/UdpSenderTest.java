package io.gvproxy.core.udp;

import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.gvproxy.core.udp.UdpFrames.GATEWAY;
import static io.gvproxy.core.udp.UdpFrames.GATEWAY_MAC;
import static io.gvproxy.core.udp.UdpFrames.GUEST;
import static io.gvproxy.core.udp.UdpFrames.GUEST_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Datagrams up to the MTU leave whole; larger ones as IPv4 fragments that reassemble to a valid datagram. */
class UdpSenderTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1471, 1472, 1473, 2961, 4000, 9000, 65507})
    void datagramReassemblesFromItsFramesWithValidChecksums(int payloadLength) {
        long seed = 31L * payloadLength + 7;
        byte[] payload = new byte[payloadLength];
        new Random(seed).nextBytes(payload);
        Counters counters = new Counters();
        List<byte[]> frames = new ArrayList<>();
        int mtu = 1500;
        UdpSender sender = new UdpSender(GATEWAY_MAC.bits(), mtu, FramePool.forMtu(mtu), f -> frames.add(
                f.data().toArray(ValueLayout.JAVA_BYTE)), counters);
        assertTrue(sender.send(GUEST_MAC.bits(), GATEWAY, 53, GUEST, 40000, MemorySegment.ofArray(payload)));
        int expectedFrames = payloadLength + 8 <= 1480 ? 1 : (payloadLength + 8 + 1479) / 1480;
        assertEquals(expectedFrames, frames.size(), "frames, seed " + seed);
        ByteArrayOutputStream datagram = new ByteArrayOutputStream();
        int id = -1;
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            assertTrue(f.length <= mtu + EthernetFrame.HEADER_LENGTH, "frame within MTU");
            MemorySegment s = MemorySegment.ofArray(f);
            Ipv4Packet ip = new Ipv4Packet();
            assertNull(ip.wrap(s, 14, f.length - 14));
            assertTrue(ip.headerChecksumValid());
            assertEquals(IpProtocol.UDP, ip.protocol());
            assertEquals(datagram.size(), ip.fragmentOffset(), "fragment offset");
            assertEquals(i < frames.size() - 1, ip.moreFragments(), "MF");
            if (id >= 0) {
                assertEquals(id, ip.identification(), "one identification for all fragments");
            }
            id = ip.identification();
            datagram.writeBytes(s.asSlice(ip.payloadOffset(), ip.payloadLength()).toArray(ValueLayout.JAVA_BYTE));
        }
        byte[] d = datagram.toByteArray();
        assertEquals(payloadLength + 8, ByteBuffer.wrap(d).getShort(4) & 0xFFFF, "UDP length");
        int pseudo = Checksum.pseudoHeaderSum(GATEWAY, GUEST, IpProtocol.UDP, d.length);
        assertEquals(0xFFFF, Checksum.sum(MemorySegment.ofArray(d), 0, d.length, pseudo), "UDP checksum");
        byte[] body = new byte[payloadLength];
        System.arraycopy(d, 8, body, 0, payloadLength);
        assertArrayEquals(payload, body);
        assertEquals(expectedFrames, counters.get("udp.sent"));
        assertEquals(expectedFrames > 1 ? 1 : 0, counters.get("udp.sent_fragmented"));
    }

    @ParameterizedTest
    @ValueSource(ints = {65508, 70000})
    void payloadBeyondTheIpv4LimitIsCountedAndDropped(int payloadLength) {
        Counters counters = new Counters();
        List<byte[]> frames = new ArrayList<>();
        UdpSender sender = new UdpSender(GATEWAY_MAC.bits(), 1500, FramePool.forMtu(1500),
                f -> frames.add(new byte[0]), counters);
        assertEquals(false, sender.send(GUEST_MAC.bits(), GATEWAY, 53, GUEST, 40000,
                MemorySegment.ofArray(new byte[payloadLength])));
        assertEquals(0, frames.size());
        assertEquals(1, counters.get("udp.dropped_reply_too_large"));
    }
}
