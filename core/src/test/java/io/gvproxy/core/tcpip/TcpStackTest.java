package io.gvproxy.core.tcpip;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.TcpOptions;
import io.gvproxy.core.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.NoRouteToHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.gvproxy.core.tcpip.StackHarness.GATEWAY_MAC;
import static io.gvproxy.core.tcpip.StackHarness.GUEST;
import static io.gvproxy.core.tcpip.StackHarness.GUEST_MAC;
import static io.gvproxy.core.tcpip.StackHarness.REMOTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpStackTest {
    private static final int ISN = 0x1000_0000;

    private static StackHarness.Out only(List<byte[]> frames) {
        assertEquals(1, frames.size(), "frames sent");
        return StackHarness.Out.parse(frames.getFirst());
    }

    @Test
    void synToAnyAddressIsOfferedAndAnsweredWithSynAckCarryingOptions() {
        try (StackHarness h = new StackHarness()) {
            AtomicReference<SynOffer> seen = new AtomicReference<>();
            h.stack.setSynListener(o -> {
                seen.set(o);
                assertTrue(o.accept().isPresent());
            });
            h.send(StackHarness.syn(REMOTE, 40000, 443, ISN));
            assertEquals(REMOTE, seen.get().localAddress());
            assertEquals(443, seen.get().localPort());
            assertEquals(GUEST, seen.get().remoteAddress());
            assertEquals(40000, seen.get().remotePort());
            StackHarness.Out o = only(h.drain());
            assertEquals(GUEST_MAC, o.eth().destination());
            assertEquals(GATEWAY_MAC, o.eth().source());
            assertEquals(REMOTE, o.ip().sourceAddress());
            assertEquals(GUEST, o.ip().destinationAddress());
            assertTrue(o.ip().dontFragment());
            assertEquals(64, o.ip().ttl());
            assertEquals(443, o.tcp().sourcePort());
            assertEquals(40000, o.tcp().destinationPort());
            assertEquals(TcpSegment.SYN | TcpSegment.ACK, o.tcp().flags());
            assertEquals(ISN + 1, o.tcp().acknowledgmentNumber());
            assertEquals(1460, o.options().mss());
            assertTrue(o.options().windowScale() >= 0);
            assertTrue(o.options().sackPermitted());
            assertTrue(o.options().hasTimestamps());
            assertEquals(1000, o.options().tsEcr());
            assertEquals(1, h.stack.connectionCount());
            assertEquals(1, h.stack.halfOpenCount());
        }
    }

    /** Linux lays its SYN options out as MSS, SACK-permitted, timestamps, NOP, window scale. */
    @Test
    void linuxLayoutOfSynOptionsIsUnderstood() {
        try (StackHarness h = new StackHarness()) {
            h.stack.setSynListener(o -> o.accept());
            byte[] opts = {2, 4, 5, (byte) 0xb4, 4, 2, 8, 10, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 3, 10};
            byte[] frame = StackHarness.segment(REMOTE, 40000, 443, ISN, 0, TcpSegment.SYN, 64240, null, opts);
            // turn the 20 "payload" bytes into options: data offset 10 words, then fix the checksum
            MemorySegment f = MemorySegment.ofArray(frame);
            f.set(ValueLayout.JAVA_BYTE, 14 + 20 + 12, (byte) 0xA0);
            f.set(ValueLayout.JAVA_SHORT_UNALIGNED, 14 + 20 + 16, (short) 0);
            int pseudo = io.gvproxy.core.wire.Checksum.pseudoHeaderSum(GUEST, REMOTE, IpProtocol.TCP, 40);
            int sum = io.gvproxy.core.wire.Checksum.finish(io.gvproxy.core.wire.Checksum.sum(f, 34, 40, pseudo));
            f.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 14 + 20 + 16,
                    (short) sum);
            h.send(frame);
            StackHarness.Out o = only(h.drain());
            assertEquals(TcpSegment.SYN | TcpSegment.ACK, o.tcp().flags());
            assertTrue(o.options().sackPermitted());
            assertTrue(o.options().hasTimestamps());
            assertEquals(256, o.options().tsEcr());
            assertTrue(o.options().windowScale() >= 0);
        }
    }

    @Test
    void synWithoutListenerIsRefusedWithReset() {
        try (StackHarness h = new StackHarness()) {
            h.send(StackHarness.syn(REMOTE, 40000, 80, ISN));
            StackHarness.Out o = only(h.drain());
            assertEquals(TcpSegment.RST | TcpSegment.ACK, o.tcp().flags());
            assertEquals(0, o.tcp().sequenceNumber());
            assertEquals(ISN + 1, o.tcp().acknowledgmentNumber());
            assertEquals(1, h.count("tcp.stack.resets_no_connection"));
            assertEquals(0, h.stack.connectionCount());
        }
    }

    @Test
    void segmentForNoConnectionIsResetFromItsAck() {
        try (StackHarness h = new StackHarness()) {
            h.send(StackHarness.segment(REMOTE, 40000, 80, 5, 777, TcpSegment.ACK, 1000, null, new byte[3]));
            StackHarness.Out o = only(h.drain());
            assertEquals(TcpSegment.RST, o.tcp().flags());
            assertEquals(777, o.tcp().sequenceNumber());
            // a reset is never answered
            h.send(StackHarness.segment(REMOTE, 40000, 80, 5, 777, TcpSegment.RST, 0, null, new byte[0]));
            assertTrue(h.drain().isEmpty());
        }
    }

    @Test
    void badChecksumIsCountedAndDroppedUnlessVerificationIsOff() {
        byte[] syn = StackHarness.syn(REMOTE, 40000, 80, ISN);
        syn[14 + 20 + 4] ^= 0x01;
        try (StackHarness h = new StackHarness()) {
            h.send(syn);
            assertTrue(h.drain().isEmpty());
            assertEquals(1, h.count("tcp.stack.bad_checksum"));
        }
        try (StackHarness h = new StackHarness(TcpStackConfig.forMtu(1500).withVerifyChecksums(false))) {
            h.send(syn);
            assertEquals(1, h.drain().size(), "a reset for the unchecked SYN");
            assertEquals(0, h.count("tcp.stack.bad_checksum"));
        }
    }

    @Test
    void heldSynIsAnsweredLaterFromAnotherThreadAndRetransmissionsWait() throws Exception {
        try (StackHarness h = new StackHarness()) {
            AtomicReference<SynOffer> held = new AtomicReference<>();
            h.stack.setSynListener(held::set);
            h.send(StackHarness.syn(REMOTE, 40001, 22, ISN));
            assertTrue(h.drain().isEmpty());
            h.send(StackHarness.syn(REMOTE, 40001, 22, ISN));
            assertTrue(h.drain().isEmpty());
            assertEquals(1, h.count("tcp.stack.drop.syn_while_pending"));
            assertTrue(held.get().isPending());
            TcpStream stream = CompletableFuture.supplyAsync(() -> held.get().accept().orElseThrow())
                    .get(5, TimeUnit.SECONDS);
            assertFalse(held.get().isPending());
            assertFalse(held.get().reject(), "answered once");
            StackHarness.Out o = only(h.drain());
            assertEquals(TcpSegment.SYN | TcpSegment.ACK, o.tcp().flags());
            assertEquals(22, stream.localPort());
        }
    }

    @Test
    void rejectedSynGetsResetAndFreesItsSlot() {
        try (StackHarness h = new StackHarness()) {
            h.stack.setSynListener(SynOffer::reject);
            h.send(StackHarness.syn(REMOTE, 40002, 22, ISN));
            StackHarness.Out o = only(h.drain());
            assertEquals(TcpSegment.RST | TcpSegment.ACK, o.tcp().flags());
            assertEquals(0, h.stack.connectionCount());
            assertEquals(0, h.stack.halfOpenCount());
            assertEquals(1, h.count("tcp.stack.syn_rejected"));
        }
    }

    @Test
    void unansweredOfferExpires() throws Exception {
        TcpStackConfig config = TcpStackConfig.forMtu(1500).withSynOfferTimeoutNanos(20_000_000L);
        try (StackHarness h = new StackHarness(config)) {
            AtomicReference<SynOffer> held = new AtomicReference<>();
            h.stack.setSynListener(held::set);
            h.send(StackHarness.syn(REMOTE, 40003, 22, ISN));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (h.count("tcp.stack.syn_expired") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, h.count("tcp.stack.syn_expired"));
            assertTrue(held.get().accept().isEmpty());
            assertEquals(0, h.stack.halfOpenCount());
            assertEquals(0, h.stack.connectionCount());
            assertTrue(h.drain().isEmpty(), "expiry is silent");
        }
    }

    @Test
    void halfOpenLimitDropsFurtherSyns() {
        try (StackHarness h = new StackHarness(TcpStackConfig.forMtu(1500).withLimits(100, 2))) {
            h.stack.setSynListener(o -> { });
            for (int port = 1; port <= 3; port++) {
                h.send(StackHarness.syn(REMOTE, 41000 + port, 80, ISN));
            }
            assertEquals(2, h.stack.halfOpenCount());
            assertEquals(1, h.count("tcp.stack.drop.half_open_limit"));
        }
    }

    @Test
    void tableLimitDropsSynsBeyondIt() {
        try (StackHarness h = new StackHarness(TcpStackConfig.forMtu(1500).withLimits(2, 100))) {
            h.stack.setSynListener(o -> o.accept());
            for (int port = 1; port <= 3; port++) {
                h.send(StackHarness.syn(REMOTE, 41000 + port, 80, ISN));
            }
            assertEquals(2, h.stack.connectionCount());
            assertEquals(1, h.count("tcp.stack.drop.table_full"));
            assertEquals(2, h.drain().size());
        }
    }

    /** Completes a handshake for GUEST:40010 -> REMOTE:80 and returns the stream and the server's next seq. */
    private static Object[] establish(StackHarness h) throws Exception {
        CompletableFuture<TcpStream> accepted = new CompletableFuture<>();
        h.stack.setSynListener(o -> accepted.complete(o.accept().orElseThrow()));
        TcpOptions noTs = new TcpOptions().mss(1460);
        h.send(StackHarness.segment(REMOTE, 40010, 80, ISN, 0, TcpSegment.SYN, 65535, noTs, new byte[0]));
        StackHarness.Out synAck = only(h.drain());
        int serverNext = synAck.tcp().sequenceNumber() + 1;
        h.send(StackHarness.segment(REMOTE, 40010, 80, ISN + 1, serverNext, TcpSegment.ACK, 65535, null,
                new byte[0]));
        TcpStream s = accepted.get(5, TimeUnit.SECONDS);
        s.awaitConnected(5, TimeUnit.SECONDS);
        return new Object[] {s, serverNext};
    }

    @Test
    void bytesFlowBothWaysThroughTheStream() throws Exception {
        try (StackHarness h = new StackHarness()) {
            Object[] e = establish(h);
            TcpStream s = (TcpStream) e[0];
            int serverNext = (int) e[1];
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            h.send(StackHarness.segment(REMOTE, 40010, 80, ISN + 1, serverNext, TcpSegment.ACK | TcpSegment.PSH,
                    65535, null, hello));
            byte[] got = new byte[16];
            int n = s.inputStream().read(got);
            assertArrayEquals(hello, java.util.Arrays.copyOf(got, n));
            h.drain();
            s.outputStream().write("world".getBytes(StandardCharsets.US_ASCII));
            StackHarness.Out data = only(h.drain());
            assertEquals("world", new String(data.payload(), StandardCharsets.US_ASCII));
            assertEquals(ISN + 1 + hello.length, data.tcp().acknowledgmentNumber());
            h.send(StackHarness.segment(REMOTE, 40010, 80, ISN + 1 + hello.length, serverNext + 5,
                    TcpSegment.ACK | TcpSegment.FIN, 65535, null, new byte[0]));
            assertEquals(-1, s.inputStream().read(got));
        }
    }

    @Test
    void newerSynReusesATupleLingeringInTimeWait() throws Exception {
        try (StackHarness h = new StackHarness()) {
            Object[] e = establish(h);
            TcpStream s = (TcpStream) e[0];
            int serverNext = (int) e[1];
            s.close();
            StackHarness.Out fin = only(h.drain());
            assertEquals(TcpSegment.FIN | TcpSegment.ACK, fin.tcp().flags());
            h.send(StackHarness.segment(REMOTE, 40010, 80, ISN + 1, serverNext + 1, TcpSegment.ACK | TcpSegment.FIN,
                    65535, null, new byte[0]));
            assertEquals(TcpSegment.ACK, only(h.drain()).tcp().flags());
            assertEquals(io.gvproxy.core.tcp.TcpState.TIME_WAIT, s.state());
            h.send(StackHarness.segment(REMOTE, 40010, 80, ISN + 100_000, 0, TcpSegment.SYN, 65535,
                    new TcpOptions().mss(1460), new byte[0]));
            assertEquals(1, h.count("tcp.stack.time_wait_reused"));
            StackHarness.Out synAck = only(h.drain());
            assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.tcp().flags());
            assertEquals(ISN + 100_001, synAck.tcp().acknowledgmentNumber());
            assertEquals(io.gvproxy.core.tcp.TcpState.CLOSED, s.state());
        }
    }

    @Test
    void fragmentationNeededLowersTheConnectionsMss() throws Exception {
        try (StackHarness h = new StackHarness()) {
            TcpStream s = (TcpStream) establish(h)[0];
            assertEquals(1460, s.sendMss());
            // the quoted datagram is one of ours: REMOTE:80 -> GUEST:40010
            byte[] quoted = new byte[28];
            MemorySegment q = MemorySegment.ofArray(quoted);
            Ipv4Packet.writeHeader(q, 0, 0, 1500, 0, Ipv4Packet.FLAG_DF, 0, 64, IpProtocol.TCP, REMOTE, GUEST);
            q.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 20, (short) 80);
            q.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 22, (short) 40010);
            int ipLen = 20 + 8 + quoted.length;
            MemorySegment f = MemorySegment.ofArray(new byte[14 + ipLen]);
            long ipAt = EthernetFrame.writeHeader(f, 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV4);
            MemorySegment.copy(q, 0, f, ipAt + 28, quoted.length);
            Icmpv4Packet.write(f, ipAt + 20, IcmpType.DEST_UNREACHABLE, IcmpType.CODE_FRAGMENTATION_NEEDED,
                    Icmpv4Packet.fragmentationNeededRest(1000), quoted.length);
            Ipv4Packet.writeHeader(f, ipAt, 0, ipLen, 2, 0, 0, 64, IpProtocol.ICMP, GUEST, REMOTE);
            h.send(f.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(1, h.count("tcp.stack.icmp_frag_needed"));
            assertEquals(960, s.sendMss());
        }
    }

    @Test
    void connectTowardsAGuestNeedsItsMacAndSendsSyn() throws Exception {
        int gatewayIp = Ipv4.parse("192.168.127.1");
        try (StackHarness h = new StackHarness()) {
            assertThrows(NoRouteToHostException.class, () -> h.stack.connect(gatewayIp, 50000, GUEST, 22));
            h.stack.learnNeighbor(GUEST, new MacAddress(GUEST_MAC));
            TcpStream s = h.stack.connect(gatewayIp, 50000, GUEST, 22);
            StackHarness.Out syn = only(h.drain());
            assertEquals(TcpSegment.SYN, syn.tcp().flags());
            assertEquals(GUEST_MAC, syn.eth().destination());
            assertEquals(gatewayIp, syn.ip().sourceAddress());
            assertTrue(syn.ip().dontFragment());
            assertThrows(java.net.BindException.class, () -> h.stack.connect(gatewayIp, 50000, GUEST, 22));
            // the guest refuses
            h.send(StackHarness.segment(gatewayIp, 22, 50000, 0, syn.tcp().sequenceNumber() + 1,
                    TcpSegment.RST | TcpSegment.ACK, 0, null, new byte[0]));
            assertThrows(java.net.ConnectException.class, () -> s.awaitConnected(5, TimeUnit.SECONDS));
            assertEquals(0, h.stack.connectionCount());
        }
    }
}
