package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.MemoryLink;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.wire.ArpPacket;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The in-JVM guest the peer ITs rely on, checked on memory links without gvproxy. */
@Timeout(30)
class JvmGuestTest {
    private static final MacAddress MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress MAC_B = MacAddress.parse("02:00:00:00:00:0b");
    private static final MacAddress RAW_MAC = MacAddress.parse("02:00:00:00:00:99");
    private static final String IP_A = "192.168.127.10";
    private static final String IP_B = "192.168.127.11";
    private static final int RAW_IP = Ipv4.parse("192.168.127.99");

    private final FramePool pool = FramePool.forMtu(1500);

    @Test
    void twoGuestsResolveAndPingEachOther() throws Exception {
        MemoryLink[] links = MemoryLink.pair(64, pool);
        try (JvmGuest a = JvmGuest.start("a", links[0], MAC_A, IP_A);
             JvmGuest b = JvmGuest.start("b", links[1], MAC_B, IP_B)) {
            assertEquals(5, a.ping(IP_B, 5, Duration.ofMillis(10), Duration.ofSeconds(5)), a.stats());
            assertEquals(5, b.ping(IP_A, 5, Duration.ofMillis(10), Duration.ofSeconds(5)), b.stats());
            assertEquals(MAC_B, a.resolve(IP_B, Duration.ZERO).orElseThrow());
            assertEquals(MAC_A, b.resolve(IP_A, Duration.ZERO).orElseThrow());
            assertEquals(5, a.echoRequestsAnswered(), a.stats());
            assertEquals(5, b.echoRequestsAnswered(), b.stats());
            assertTrue(b.arpRequestsAnswered() >= 1, b.stats());
        }
    }

    @Test
    void unansweredAddressStaysUnresolvedAndPingCountsNothing() throws Exception {
        MemoryLink[] links = MemoryLink.pair(64, pool);
        try (JvmGuest a = JvmGuest.start("a", links[0], MAC_A, IP_A);
             JvmGuest b = JvmGuest.start("b", links[1], MAC_B, IP_B)) {
            assertTrue(a.resolve("192.168.127.77", Duration.ofMillis(500)).isEmpty());
            assertEquals(0, a.ping("192.168.127.77", 3, Duration.ofMillis(10), Duration.ofMillis(500)));
            assertEquals(0, b.arpRequestsAnswered(), "b must not answer ARP for another address");
        }
    }

    @Test
    void answersArpAndEchoWithValidChecksumsAndIgnoresCorruptEcho() throws Exception {
        MemoryLink[] links = MemoryLink.pair(64, pool);
        MemoryLink raw = links[1];
        BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(64);
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            Frame frame = pool.acquire();
            try {
                while (raw.receive(frame)) {
                    received.offer(frame.data().toArray(ValueLayout.JAVA_BYTE));
                }
            } catch (java.io.IOException e) {
                // The link closed with the test.
            } finally {
                frame.release();
            }
        });
        try (JvmGuest guest = JvmGuest.start("g", links[0], MAC_A, IP_A)) {
            MemorySegment arpRequest = MemorySegment.ofArray(new byte[42]);
            long at = EthernetFrame.writeHeader(arpRequest, 0, MacAddress.BROADCAST.bits(), RAW_MAC.bits(), EtherType.ARP);
            ArpPacket.write(arpRequest, at, ArpPacket.OP_REQUEST, RAW_MAC.bits(), RAW_IP, 0, Ipv4.parse(IP_A));
            raw.send(arpRequest);
            MemorySegment arpReply = MemorySegment.ofArray(received.poll(5, TimeUnit.SECONDS));
            EthernetFrame eth = new EthernetFrame();
            ArpPacket arp = new ArpPacket();
            assertNull(eth.wrap(arpReply));
            assertEquals(RAW_MAC.bits(), eth.destination());
            assertNull(arp.wrap(arpReply, eth.payloadOffset(), eth.payloadLength()));
            assertEquals(ArpPacket.OP_REPLY, arp.operation());
            assertEquals(MAC_A.bits(), arp.senderHardwareAddress());
            assertEquals(Ipv4.parse(IP_A), arp.senderProtocolAddress());
            assertEquals(RAW_IP, arp.targetProtocolAddress());

            raw.send(echoRequest(0x1234, 7, false));
            MemorySegment reply = MemorySegment.ofArray(received.poll(5, TimeUnit.SECONDS));
            Ipv4Packet ip = new Ipv4Packet();
            Icmpv4Packet icmp = new Icmpv4Packet();
            assertNull(eth.wrap(reply));
            assertEquals(RAW_MAC.bits(), eth.destination());
            assertNull(ip.wrap(reply, eth.payloadOffset(), eth.payloadLength()));
            assertTrue(ip.headerChecksumValid());
            assertEquals(RAW_IP, ip.destinationAddress());
            assertNull(icmp.wrap(reply, ip.payloadOffset(), ip.payloadLength()));
            assertTrue(icmp.checksumValid());
            assertEquals(IcmpType.ECHO_REPLY, icmp.type());
            assertEquals(0x1234, icmp.echoIdentifier());
            assertEquals(7, icmp.echoSequence());
            assertEquals(32, icmp.payloadLength());
            assertEquals((byte) 31, reply.get(ValueLayout.JAVA_BYTE, icmp.payloadOffset() + 31));

            raw.send(echoRequest(0x1234, 8, true));
            assertNull(received.poll(300, TimeUnit.MILLISECONDS), "a corrupt echo request must not be answered");
            assertEquals(1, guest.echoRequestsAnswered());
            assertTrue(guest.stats().contains("1 bad ICMP checksums"), guest.stats());
            assertFalse(guest.stats().contains("link failed"), guest.stats());
        } finally {
            raw.close();
            reader.join(5_000);
        }
    }

    private static MemorySegment echoRequest(int id, int seq, boolean corrupt) {
        int payload = 32;
        MemorySegment frame = MemorySegment.ofArray(new byte[14 + 20 + 8 + payload]);
        long at = EthernetFrame.writeHeader(frame, 0, MAC_A.bits(), RAW_MAC.bits(), EtherType.IPV4);
        at = Ipv4Packet.writeHeader(frame, at, 0, 20 + 8 + payload, 1, 0, 0, 64, IpProtocol.ICMP, RAW_IP, Ipv4.parse(IP_A));
        for (int i = 0; i < payload; i++) {
            frame.set(ValueLayout.JAVA_BYTE, at + 8 + i, (byte) i);
        }
        Icmpv4Packet.write(frame, at, IcmpType.ECHO_REQUEST, 0, Icmpv4Packet.echoRest(id, seq), payload);
        if (corrupt) {
            frame.set(ValueLayout.JAVA_BYTE, at + 8, (byte) 0x55);
        }
        return frame;
    }
}
