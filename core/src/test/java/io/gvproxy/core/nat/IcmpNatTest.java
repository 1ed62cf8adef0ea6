package io.gvproxy.core.nat;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gvproxy.core.nat.TcpNatTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ICMP echo NAT against a scripted echo socket: no host socket is opened. */
class IcmpNatTest {
    static final int GUEST = Ipv4.parse("192.168.127.2");
    static final int HOST = Ipv4.parse("192.168.127.254");
    static final int LOOPBACK = Ipv4.parse("127.0.0.1");
    static final long GUEST_MAC = 0x5a94efe40ceeL;
    static final long GATEWAY_MAC = 0x5a94efe40cddL;
    static final int BROADCAST = Ipv4.parse("192.168.127.255");
    static final byte[] DATA = "sixteen bytes!!!".getBytes(StandardCharsets.US_ASCII);

    final Counters counters = new Counters();
    final FramePool pool = FramePool.forMtu(1500);
    final BlockingQueue<byte[]> toGuest = new LinkedBlockingQueue<>();
    final EchoSocketFake.Factory sockets = new EchoSocketFake.Factory();
    IcmpNat nat;

    IcmpNat nat(NatConfig config, IcmpNatConfig limits) {
        nat = new IcmpNat(config, limits, sockets, pool,
                f -> toGuest.add(f.data().toArray(ValueLayout.JAVA_BYTE)), GATEWAY_MAC, BROADCAST, counters);
        return nat;
    }

    IcmpNat loopbackOnly() {
        return nat(NatGuest.loopbackOnly(), IcmpNatConfig.defaults());
    }

    @AfterEach
    void close() {
        if (nat != null) {
            nat.close();
        }
    }

    /** An Ethernet frame carrying an echo request from the guest. */
    static byte[] echoRequest(int src, int dst, int id, int seq, int ttl, byte[] data) {
        int ipLength = Ipv4Packet.MIN_HEADER_LENGTH + Icmpv4Packet.HEADER_LENGTH + data.length;
        MemorySegment s = MemorySegment.ofArray(new byte[EthernetFrame.HEADER_LENGTH + ipLength]);
        long ipAt = EthernetFrame.writeHeader(s, 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV4);
        long icmpAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
        MemorySegment.copy(MemorySegment.ofArray(data), 0, s, icmpAt + Icmpv4Packet.HEADER_LENGTH, data.length);
        Icmpv4Packet.write(s, icmpAt, IcmpType.ECHO_REQUEST, 0, Icmpv4Packet.echoRest(id, seq), data.length);
        Ipv4Packet.writeHeader(s, ipAt, 0, ipLength, 9, 0, 0, ttl, IpProtocol.ICMP, src, dst);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Hands a frame to the NAT as the gateway would: the views trimmed to the IPv4 total length. */
    boolean deliver(byte[] bytes) {
        Frame f = pool.copyOf(MemorySegment.ofArray(bytes));
        try {
            EthernetFrame eth = new EthernetFrame();
            Ipv4Packet ip = new Ipv4Packet();
            if (eth.wrap(f.data()) != null || ip.wrap(eth.segment(), eth.payloadOffset(), eth.payloadLength()) != null) {
                return false;
            }
            ip.wrap(eth.segment(), ip.offset(), ip.totalLength());
            return nat.handle(f, eth, ip);
        } finally {
            f.release();
        }
    }

    void ping(int dst, int id, int seq) {
        assertTrue(deliver(echoRequest(GUEST, dst, id, seq, 64, DATA)));
    }

    /** The next frame to the guest, parsed; checks both checksums. */
    record ToGuest(long dstMac, int src, int dst, int type, int code, int rest, byte[] data) {
        static ToGuest parse(byte[] bytes) {
            MemorySegment s = MemorySegment.ofArray(bytes);
            EthernetFrame eth = new EthernetFrame();
            assertNull(eth.wrap(s));
            Ipv4Packet ip = new Ipv4Packet();
            assertNull(ip.wrap(s, eth.payloadOffset(), eth.payloadLength()));
            assertTrue(ip.headerChecksumValid(), "IPv4 checksum");
            assertEquals(IpProtocol.ICMP, ip.protocol());
            Icmpv4Packet icmp = new Icmpv4Packet();
            assertNull(icmp.wrap(s, ip.payloadOffset(), ip.payloadLength()));
            assertTrue(icmp.checksumValid(), "ICMP checksum");
            return new ToGuest(eth.destination(), ip.sourceAddress(), ip.destinationAddress(), icmp.type(),
                    icmp.code(), icmp.restOfHeader(),
                    s.asSlice(icmp.payloadOffset(), icmp.payloadLength()).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    ToGuest next() throws InterruptedException {
        byte[] b = toGuest.poll(5, TimeUnit.SECONDS);
        assertNotNull(b, "a frame to the guest");
        return ToGuest.parse(b);
    }

    EchoSocketFake.Sent nextSent(EchoSocketFake s) throws InterruptedException {
        EchoSocketFake.Sent sent = s.sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(sent, "a request sent on the host socket");
        return sent;
    }

    /** The guest's original echo request as a quote: type 8, its checksum, identifier, sequence, data. */
    static byte[] quoteOf(int id, int seq, byte[] data) {
        byte[] req = echoRequest(GUEST, HOST, id, seq, 64, data);
        int at = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
        return java.util.Arrays.copyOfRange(req, at, req.length);
    }

    @Test
    void replyCarriesTheGuestsIdentifierSequenceAndDataFromThePingedAddress() throws Exception {
        loopbackOnly();
        ping(HOST, 0x1234, 7);
        assertEquals(1, sockets.opened.size());
        EchoSocketFake s = sockets.opened.getFirst();
        EchoSocketFake.Sent sent = nextSent(s);
        assertEquals(LOOPBACK, sent.destination(), "the NAT table maps the host IP to 127.0.0.1");
        assertEquals(0x1234, sent.identifier());
        assertEquals(7, sent.sequence());
        assertEquals(64, sent.ttl());
        assertArrayEquals(DATA, sent.data());

        s.queueReply(LOOPBACK, 0x1234, 7, DATA);
        ToGuest r = next();
        assertEquals(new ToGuest(GUEST_MAC, HOST, GUEST, IcmpType.ECHO_REPLY, 0, Icmpv4Packet.echoRest(0x1234, 7),
                r.data()), r);
        assertArrayEquals(DATA, r.data());

        ping(HOST, 0x1234, 8);
        assertEquals(8, nextSent(s).sequence());
        assertEquals(1, sockets.opened.size(), "one socket per guest, identifier and destination");
        ping(HOST, 0x1235, 1);
        assertEquals(2, sockets.opened.size(), "another identifier is another flow");
        assertEquals(2, counters.get("nat.icmp.flows_opened"));
        assertEquals(3, counters.get("nat.icmp.requests_sent"));
        // counted after the sink took the frame, so possibly after the guest has it
        waitFor(() -> counters.get("nat.icmp.replies_to_guest") == 1, "the reply counted");
        assertEquals(2, nat.activeFlows());
    }

    @Test
    void replyFromAnotherAddressIsDropped() throws Exception {
        loopbackOnly();
        ping(HOST, 1, 1);
        EchoSocketFake s = sockets.opened.getFirst();
        s.queueReply(Ipv4.parse("127.0.0.9"), 1, 1, DATA);
        waitFor(() -> counters.get("nat.icmp.reply_wrong_source") == 1, "wrong source counted");
        assertNull(toGuest.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void errorsAreRelayedQuotingTheGuestsRequest() throws Exception {
        int router = Ipv4.parse("127.0.0.77");
        loopbackOnly();
        ping(HOST, 0x4242, 3);
        EchoSocketFake s = sockets.opened.getFirst();
        byte[] quote = quoteOf(0x4242, 3, DATA);

        s.queueError(router, IcmpType.TIME_EXCEEDED, IcmpType.CODE_TTL_EXCEEDED_IN_TRANSIT, 0, quote);
        ToGuest te = next();
        assertEquals(router, te.src(), "a router's error comes from that router");
        assertEquals(GUEST, te.dst());
        assertEquals(IcmpType.TIME_EXCEEDED, te.type());
        assertQuotes(te.data(), quote);

        s.queueError(LOOPBACK, IcmpType.DEST_UNREACHABLE, IcmpType.CODE_FRAGMENTATION_NEEDED, 1280, quote);
        ToGuest fn = next();
        assertEquals(HOST, fn.src(), "the destination's own error speaks as the pinged address");
        assertEquals(IcmpType.CODE_FRAGMENTATION_NEEDED, fn.code());
        assertEquals(1280, fn.rest(), "the next-hop MTU");
        assertQuotes(fn.data(), quote);

        s.queueError(LOOPBACK, 12, 0, 0, quote);
        s.queueError(LOOPBACK, IcmpType.DEST_UNREACHABLE, 1, 0, new byte[]{8, 0, 0});
        s.queueError(LOOPBACK, IcmpType.DEST_UNREACHABLE, 1, 0, quoteOf(0x4243, 3, DATA));
        waitFor(() -> counters.get("nat.icmp.error_ignored") == 1 && counters.get("nat.icmp.error_malformed") == 2,
                "unknown error types and bad quotes counted");
        assertNull(toGuest.poll(100, TimeUnit.MILLISECONDS));
        assertEquals(1, counters.get("nat.icmp.time_exceeded_relayed"));
        assertEquals(1, counters.get("nat.icmp.unreachable_relayed"));
    }

    private static void assertQuotes(byte[] errorData, byte[] quote) {
        MemorySegment s = MemorySegment.ofArray(errorData);
        Ipv4Packet inner = new Ipv4Packet();
        assertNull(inner.wrap(s));
        assertTrue(inner.headerChecksumValid());
        assertEquals(GUEST, inner.sourceAddress());
        assertEquals(HOST, inner.destinationAddress(), "the quoted request went to the pinged address");
        assertEquals(IpProtocol.ICMP, inner.protocol());
        assertArrayEquals(quote, s.asSlice(inner.payloadOffset(), inner.payloadLength()).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void egressPolicyIsCheckedBeforeAnySocketOpens() throws Exception {
        loopbackOnly();
        ping(Ipv4.parse("10.200.0.2"), 1, 1);
        assertEquals(1, counters.get("nat.icmp.denied"));
        ping(Ipv4.parse("169.254.169.254"), 1, 1);
        assertEquals(1, counters.get("nat.icmp.link_local"));
        assertTrue(sockets.opened.isEmpty());
    }

    @Test
    void linkLocalIsReachableWithEc2MetadataAccess() throws Exception {
        NatConfig c = NatConfig.defaults(HOST).withEc2MetadataAccess(true)
                .withPolicy(EgressPolicy.of(List.of(Ipv4Subnet.parse("169.254.0.0/16")), List.of()));
        nat(c, IcmpNatConfig.defaults());
        ping(Ipv4.parse("169.254.169.254"), 1, 1);
        assertEquals(Ipv4.parse("169.254.169.254"), nextSent(sockets.opened.getFirst()).destination());
        assertEquals(0, counters.get("nat.icmp.link_local"));
    }

    @Test
    void oldestFlowIsEvictedWhenTheTableIsFull() throws Exception {
        nat(NatGuest.loopbackOnly(), new IcmpNatConfig(Duration.ofMinutes(5), 2));
        ping(HOST, 1, 1);
        Thread.sleep(5);
        ping(HOST, 2, 1);
        Thread.sleep(5);
        ping(HOST, 1, 2);
        ping(HOST, 3, 1);
        assertEquals(3, sockets.opened.size());
        assertEquals(1, counters.get("nat.icmp.evicted"));
        assertTrue(sockets.opened.get(1).closed, "identifier 2 was idle longest");
        assertTrue(!sockets.opened.get(0).closed && !sockets.opened.get(2).closed);
        assertEquals(2, nat.activeFlows());
        assertEquals(2, counters.get("nat.icmp.active"));
    }

    @Test
    void idleFlowsClose() throws Exception {
        nat(NatGuest.loopbackOnly(), new IcmpNatConfig(Duration.ofMillis(200), 8));
        ping(HOST, 1, 1);
        EchoSocketFake s = sockets.opened.getFirst();
        waitFor(() -> s.closed && nat.activeFlows() == 0, "idle flow closed");
        assertEquals(1, counters.get("nat.icmp.idle_closed"));
        assertEquals(0, counters.get("nat.icmp.active"));
        ping(HOST, 1, 2);
        assertEquals(2, sockets.opened.size(), "a new request opens a new socket");
    }

    @Test
    void deniedSocketsAnswerNothing() throws Exception {
        loopbackOnly();
        sockets.deny = true;
        ping(HOST, 1, 1);
        ping(HOST, 1, 2);
        assertEquals(2, counters.get("nat.icmp.socket_denied"));
        sockets.deny = false;
        sockets.fail = true;
        ping(HOST, 1, 3);
        assertEquals(1, counters.get("nat.icmp.open_errors"));
        assertNull(toGuest.poll(100, TimeUnit.MILLISECONDS), "never a fake reply");
    }

    @Test
    void malformedAndUnwantedRequestsAreCountedAndDropped() {
        loopbackOnly();
        byte[] good = echoRequest(GUEST, HOST, 1, 1, 64, DATA);
        byte[] badSum = good.clone();
        badSum[good.length - 1] ^= 1;
        assertTrue(deliver(badSum));
        assertEquals(1, counters.get("nat.icmp.bad_checksum"));

        byte[] reply = good.clone();
        reply[EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH] = IcmpType.ECHO_REPLY;
        assertTrue(deliver(reply));
        assertEquals(1, counters.get("nat.icmp.not_echo"));

        byte[] shortIcmp = echoRequest(GUEST, HOST, 1, 1, 64, new byte[0]);
        MemorySegment s = MemorySegment.ofArray(shortIcmp);
        Ipv4Packet.writeHeader(s, EthernetFrame.HEADER_LENGTH, 0, Ipv4Packet.MIN_HEADER_LENGTH + 4, 1, 0, 0, 64,
                IpProtocol.ICMP, GUEST, HOST);
        assertTrue(deliver(shortIcmp));
        assertEquals(1, counters.get("nat.icmp.malformed"));

        assertTrue(deliver(echoRequest(GUEST, BROADCAST, 1, 1, 64, DATA)));
        assertTrue(deliver(echoRequest(GUEST, Ipv4.parse("224.0.0.1"), 1, 1, 64, DATA)));
        assertEquals(2, counters.get("nat.icmp.broadcast"));
        assertTrue(deliver(echoRequest(0, HOST, 1, 1, 64, DATA)));
        assertEquals(1, counters.get("nat.icmp.bad_source"));
        assertTrue(sockets.opened.isEmpty());
    }

    @Test
    void closeEndsEveryFlowAndLaterRequestsAreDropped() {
        loopbackOnly();
        ping(HOST, 1, 1);
        ping(HOST, 2, 1);
        nat.close();
        assertTrue(sockets.opened.stream().allMatch(s -> s.closed));
        assertEquals(0, nat.activeFlows());
        ping(HOST, 3, 1);
        assertEquals(1, counters.get("nat.icmp.shutdown"));
        assertEquals(2, sockets.opened.size());
    }

    /** Random bytes after a valid IPv4 header: never an exception, never more than one flow per request. */
    @RepeatedTest(20)
    void randomIcmpNeverThrows(RepetitionInfo info) {
        long seed = 0x1C3Aa11L * info.getCurrentRepetition();
        Random random = new Random(seed);
        loopbackOnly();
        for (int i = 0; i < 200; i++) {
            byte[] payload = new byte[random.nextInt(64)];
            random.nextBytes(payload);
            if (payload.length > 0 && random.nextBoolean()) {
                payload[0] = IcmpType.ECHO_REQUEST;
            }
            int ipLength = Ipv4Packet.MIN_HEADER_LENGTH + payload.length;
            MemorySegment s = MemorySegment.ofArray(new byte[EthernetFrame.HEADER_LENGTH + ipLength]);
            long ipAt = EthernetFrame.writeHeader(s, 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV4);
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, s, ipAt + Ipv4Packet.MIN_HEADER_LENGTH,
                    payload.length);
            Ipv4Packet.writeHeader(s, ipAt, 0, ipLength, 1, 0, 0, 64, IpProtocol.ICMP, GUEST, HOST);
            assertTrue(deliver(s.toArray(ValueLayout.JAVA_BYTE)), "seed " + seed);
        }
        assertTrue(sockets.opened.size() <= counters.get("nat.icmp.echo_requests"), "seed " + seed);
    }
}
