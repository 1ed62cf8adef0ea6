package io.gvproxy.core.gateway;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.wire.ArpPacket;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static io.gvproxy.core.gateway.GatewayHarness.GATEWAY;
import static io.gvproxy.core.gateway.GatewayHarness.GATEWAY_MAC;
import static io.gvproxy.core.gateway.GatewayHarness.GUEST;
import static io.gvproxy.core.gateway.GatewayHarness.GUEST_MAC;
import static io.gvproxy.core.gateway.GatewayHarness.HOST;
import static io.gvproxy.core.gateway.GatewayHarness.OTHER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayTest {
    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    @Test
    void answersArpForGatewayIp() {
        GatewayHarness h = new GatewayHarness();
        h.send(GatewayHarness.arpRequest(GATEWAY));
        assertEquals(1, h.sent.size());
        assertArrayEquals(hex("5a94efe40cee 5a94efe40cdd 0806 0001 0800 06 04 0002"
                + " 5a94efe40cdd c0a87f01 5a94efe40cee c0a87f02"), h.sent.get(0));
        assertEquals(1, h.count("gateway.arp.replies_sent"));
    }

    @Test
    void answersArpForVirtualIp() {
        GatewayHarness h = new GatewayHarness();
        h.send(GatewayHarness.arpRequest(HOST));
        assertEquals(1, h.sent.size());
        assertArrayEquals(hex("5a94efe40cee 5a94efe40cdd 0806 0001 0800 06 04 0002"
                + " 5a94efe40cdd c0a87ffe 5a94efe40cee c0a87f02"), h.sent.get(0));
    }

    @Test
    void repliesToTheRequesterMacEvenFromAnotherSource() {
        GatewayHarness h = new GatewayHarness();
        long requester = MacAddress.parse("02:00:00:00:00:09").bits();
        byte[] req = GatewayHarness.arp(ArpPacket.OP_REQUEST, requester, GUEST, 0, GATEWAY);
        h.send(req);
        EthernetFrame eth = new EthernetFrame();
        assertNull(eth.wrap(MemorySegment.ofArray(h.sent.get(0))));
        assertEquals(requester, eth.destination());
    }

    @Test
    void ignoresArpForUnusedAddressRepliesAndGratuitous() {
        GatewayHarness h = new GatewayHarness();
        h.send(GatewayHarness.arpRequest(OTHER));
        h.send(GatewayHarness.arp(ArpPacket.OP_REPLY, GUEST_MAC, GUEST, GATEWAY_MAC, GATEWAY));
        h.send(GatewayHarness.arp(ArpPacket.OP_REQUEST, GUEST_MAC, GUEST, 0, GUEST));
        h.send(GatewayHarness.arp(ArpPacket.OP_REQUEST, GUEST_MAC, GATEWAY, 0, GATEWAY));
        assertTrue(h.sent.isEmpty());
        assertEquals(1, h.count("gateway.arp.unknown_target"));
        assertEquals(1, h.count("gateway.arp.not_request"));
        assertEquals(2, h.count("gateway.arp.gratuitous"));
        byte[] shortArp = java.util.Arrays.copyOf(GatewayHarness.arpRequest(GATEWAY), 30);
        h.send(shortArp);
        assertEquals(1, h.count("gateway.arp.truncated"));
        assertEquals(5, h.outcomes());
    }

    @Test
    void answersPingToGatewayWithCorrectReply() {
        GatewayHarness h = new GatewayHarness();
        byte[] data = new byte[57];
        new java.util.Random(9).nextBytes(data);
        h.send(GatewayHarness.ping(GATEWAY, 0x4242, 7, data));
        assertEquals(1, h.sent.size());
        assertEquals(1, h.count("gateway.icmp.echo_replies_sent"));
        MemorySegment r = MemorySegment.ofArray(h.sent.get(0));
        EthernetFrame eth = new EthernetFrame();
        assertNull(eth.wrap(r));
        assertEquals(GUEST_MAC, eth.destination());
        assertEquals(GATEWAY_MAC, eth.source());
        assertEquals(EtherType.IPV4, eth.etherType());
        Ipv4Packet ip = new Ipv4Packet();
        assertNull(ip.wrap(r, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(GATEWAY, ip.sourceAddress());
        assertEquals(GUEST, ip.destinationAddress());
        assertEquals(64, ip.ttl());
        assertEquals(IpProtocol.ICMP, ip.protocol());
        assertEquals(28 + 57, ip.totalLength());
        assertFalse(ip.isFragment());
        assertEquals(0xFFFF, Checksum.sum(r, 14, 20), "IPv4 header checksum");
        assertEquals(0xFFFF, Checksum.sum(r, 34, 8 + 57), "ICMP checksum");
        Icmpv4Packet icmp = new Icmpv4Packet();
        assertNull(icmp.wrap(r, ip.payloadOffset(), ip.payloadLength()));
        assertEquals(IcmpType.ECHO_REPLY, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x4242, icmp.echoIdentifier());
        assertEquals(7, icmp.echoSequence());
        assertArrayEquals(data, r.asSlice(icmp.payloadOffset(), 57).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(14 + 28 + 57, h.sent.get(0).length);
    }

    @Test
    void ignoresEthernetPaddingOfPing() {
        GatewayHarness h = new GatewayHarness();
        byte[] padded = java.util.Arrays.copyOf(GatewayHarness.ping(GATEWAY, 1, 1, new byte[2]), 60);
        padded[59] = 0x55;
        h.send(padded);
        assertEquals(1, h.sent.size());
        assertEquals(14 + 28 + 2, h.sent.get(0).length);
        assertEquals(0xFFFF, Checksum.sum(MemorySegment.ofArray(h.sent.get(0)), 34, 10));
    }

    @Test
    void countsPingWhoseReplyDoesNotFitThePool() {
        GatewayConfig d = GatewayConfig.defaults();
        GatewayHarness h = new GatewayHarness(new GatewayConfig(d.mac(), d.ip(), d.subnet(), d.virtualIps(), 9000, true));
        h.send(GatewayHarness.ping(GATEWAY, 1, 1, new byte[2000]));
        assertTrue(h.sent.isEmpty());
        assertEquals(1, h.count("gateway.icmp.reply_too_large"));
        assertEquals(h.pool.allocatedCount(), h.pool.idleCount());
    }

    @Test
    void dropsPacketsLongerThanTheMtu() {
        GatewayHarness h = new GatewayHarness();
        h.send(GatewayHarness.ping(GATEWAY, 1, 1, new byte[1472]));
        h.send(GatewayHarness.ping(GATEWAY, 1, 2, new byte[1473]));
        assertEquals(1, h.sent.size());
        assertEquals(1500, h.sent.get(0).length - 14);
        assertEquals(1, h.count("gateway.ipv4.exceeds_mtu"));
    }

    @Test
    void doesNotAnswerPingToVirtualOrOtherIps() {
        GatewayHarness h = new GatewayHarness();
        h.send(GatewayHarness.ping(HOST, 1, 1, new byte[8]));
        h.send(GatewayHarness.ping(OTHER, 1, 1, new byte[8]));
        assertTrue(h.sent.isEmpty());
        assertEquals(2, h.count("gateway.ipv4.no_handler"));
    }

    @Test
    void dropsAndCountsBadChecksums() {
        GatewayHarness h = new GatewayHarness();
        byte[] badIp = GatewayHarness.ping(GATEWAY, 1, 1, new byte[8]);
        badIp[24] ^= 0x01;
        h.send(badIp);
        byte[] badIcmp = GatewayHarness.ping(GATEWAY, 1, 1, new byte[8]);
        badIcmp[45] ^= 0x10;
        h.send(badIcmp);
        assertTrue(h.sent.isEmpty());
        assertEquals(1, h.count("gateway.ipv4.bad_checksum"));
        assertEquals(1, h.count("gateway.icmp.bad_checksum"));

        GatewayConfig d = GatewayConfig.defaults();
        GatewayHarness lax = new GatewayHarness(new GatewayConfig(d.mac(), d.ip(), d.subnet(), d.virtualIps(), d.mtu(), false));
        lax.send(badIp);
        assertEquals(1, lax.sent.size(), "without verification the reply is built anyway");
        assertEquals(0xFFFF, Checksum.sum(MemorySegment.ofArray(lax.sent.get(0)), 14, 20));
        assertEquals(0, lax.count("gateway.ipv4.bad_checksum"));
    }

    private static byte[] withIpField(byte[] frame, int at, int value) {
        byte[] f = frame.clone();
        MemorySegment s = MemorySegment.ofArray(f);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 14 + at, (short) value);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 24, (short) 0);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 24, (short) Checksum.checksum(s, 14, 20));
        return f;
    }

    @Test
    void countsEachIpv4DropReason() {
        GatewayHarness h = new GatewayHarness();
        byte[] ping = GatewayHarness.ping(GATEWAY, 1, 1, new byte[8]);
        h.send(withIpField(ping, 6, Ipv4Packet.FLAG_MF));
        h.send(withIpField(ping, 6, 100));
        h.send(withIpField(ping, 8, IpProtocol.ICMP));
        h.send(withIpField(ping, 2, 300));
        h.send(withIpField(ping, 2, 10));
        h.send(withIpField(ping, 0, 0x4400));
        h.send(withIpField(ping, 0, 0x6500));
        h.send(java.util.Arrays.copyOf(ping, 30));
        assertTrue(h.sent.isEmpty());
        assertEquals(2, h.count("gateway.ipv4.fragments"));
        assertEquals(1, h.count("gateway.ipv4.zero_ttl"));
        assertEquals(2, h.count("gateway.ipv4.truncated"));
        assertEquals(1, h.count("gateway.ipv4.bad_total_length"));
        assertEquals(1, h.count("gateway.ipv4.bad_header_length"));
        assertEquals(1, h.count("gateway.ipv4.bad_version"));
        assertEquals(8, h.outcomes());
    }

    @Test
    void countsIpv6UnknownAndShortFrames() {
        GatewayHarness h = new GatewayHarness();
        byte[] v6 = new byte[54];
        EthernetFrame.writeHeader(MemorySegment.ofArray(v6), 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV6);
        h.send(v6);
        byte[] lldp = new byte[60];
        EthernetFrame.writeHeader(MemorySegment.ofArray(lldp), 0, GATEWAY_MAC, GUEST_MAC, 0x88CC);
        h.send(lldp);
        h.send(new byte[13]);
        h.send(new byte[0]);
        assertTrue(h.sent.isEmpty());
        assertEquals(1, h.count("gateway.ipv6.frames"));
        assertEquals(1, h.count("gateway.ethernet.unknown_ethertype"));
        assertEquals(2, h.count("gateway.ethernet.truncated"));
        assertEquals(4, h.count("gateway.frames"));
        assertEquals(4, h.outcomes());
    }

    @Test
    void handlersClaimPacketsForAnyDestination() {
        GatewayHarness h = new GatewayHarness();
        List<Integer> seen = new ArrayList<>();
        int remote = io.gvproxy.core.net.Ipv4.parse("10.200.0.9");
        h.gateway.setIpv4Handler(IpProtocol.TCP, (frame, eth, ip) -> {
            seen.add(ip.destinationAddress());
            assertEquals(GUEST_MAC, eth.source());
            assertEquals(28, ip.totalLength());
            return ip.destinationAddress() != OTHER;
        });
        h.gateway.setIpv4Handler(IpProtocol.UDP, (frame, eth, ip) -> {
            throw new IllegalStateException("handler bug");
        });
        h.send(GatewayHarness.ipv4(IpProtocol.TCP, remote));
        h.send(GatewayHarness.ipv4(IpProtocol.TCP, HOST));
        h.send(GatewayHarness.ipv4(IpProtocol.TCP, OTHER));
        h.send(GatewayHarness.ipv4(IpProtocol.UDP, GATEWAY));
        assertEquals(List.of(remote, HOST, OTHER), seen);
        assertEquals(2, h.count("gateway.ipv4.handled"));
        assertEquals(1, h.count("gateway.ipv4.unclaimed"));
        assertEquals(1, h.count("gateway.ipv4.handler_errors"));
        h.gateway.setIpv4Handler(IpProtocol.TCP, null);
        h.send(GatewayHarness.ipv4(IpProtocol.TCP, remote));
        assertEquals(1, h.count("gateway.ipv4.no_handler"));
        assertThrows(IllegalArgumentException.class, () -> h.gateway.setIpv4Handler(256, null));
    }

    @Test
    void icmpHandlerDoesNotStealGatewayPings() {
        GatewayHarness h = new GatewayHarness();
        h.gateway.setIpv4Handler(IpProtocol.ICMP, (frame, eth, ip) -> true);
        h.send(GatewayHarness.ping(GATEWAY, 1, 1, new byte[4]));
        h.send(GatewayHarness.ping(HOST, 1, 1, new byte[4]));
        assertEquals(1, h.count("gateway.icmp.echo_replies_sent"));
        assertEquals(1, h.count("gateway.ipv4.handled"));
    }

    @Test
    void releasesReplyFramesEvenWhenOutputFails() {
        Counters counters = new Counters();
        FramePool pool = new FramePool(1518, 8);
        List<Frame> handedOut = new ArrayList<>();
        Gateway g = new Gateway(GatewayConfig.defaults(), counters, pool, f -> {
            handedOut.add(f);
            throw new IllegalStateException("port closed");
        });
        Frame in = pool.copyOf(MemorySegment.ofArray(GatewayHarness.arpRequest(GATEWAY)));
        g.accept(in);
        in.release();
        assertEquals(1, counters.get("gateway.output_errors"));
        assertEquals(0, counters.get("gateway.arp.replies_sent"));
        assertEquals(pool.allocatedCount(), pool.idleCount(), "every frame back in the pool");
        assertSame(handedOut.get(0), pool.acquire(), "the reply's buffer was recycled");
    }

    @Test
    void dropsPingsFromUnusableSources() {
        GatewayHarness h = new GatewayHarness();
        byte[] p = GatewayHarness.ping(GATEWAY, 1, 1, new byte[4]);
        for (int src : new int[]{0, -1, io.gvproxy.core.net.Ipv4.parse("192.168.127.255"), io.gvproxy.core.net.Ipv4.parse("224.0.0.1")}) {
            byte[] f = withIpField(withIpField(p, 12, src >>> 16), 14, src & 0xFFFF);
            h.send(f);
        }
        assertTrue(h.sent.isEmpty());
        assertEquals(4, h.count("gateway.icmp.bad_source"));
    }

    @Test
    void configValidatesAndDefaults() {
        GatewayConfig d = GatewayConfig.defaults();
        assertEquals("5a:94:ef:e4:0c:dd", d.mac().toString());
        assertEquals(GATEWAY, d.ip());
        assertArrayEquals(new int[]{HOST}, d.virtualIps());
        assertEquals(1500, d.mtu());
        assertTrue(d.verifyChecksums());
        assertEquals(d, GatewayConfig.defaults());
        assertThrows(IllegalArgumentException.class,
                () -> new GatewayConfig(d.mac(), io.gvproxy.core.net.Ipv4.parse("10.0.0.1"), d.subnet(), null, 1500, true));
        assertThrows(IllegalArgumentException.class,
                () -> new GatewayConfig(MacAddress.BROADCAST, d.ip(), d.subnet(), null, 1500, true));
        assertThrows(IllegalArgumentException.class, () -> new GatewayConfig(d.mac(), d.ip(), d.subnet(), null, 67, true));
    }
}
