package io.gvproxy.core.gateway;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.wire.ArpPacket;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static io.gvproxy.core.gateway.GatewayHarness.GATEWAY;
import static io.gvproxy.core.gateway.GatewayHarness.GATEWAY_MAC;
import static io.gvproxy.core.gateway.GatewayHarness.GUEST;
import static io.gvproxy.core.gateway.GatewayHarness.GUEST_MAC;
import static io.gvproxy.core.gateway.GatewayHarness.HOST;
import static io.gvproxy.core.gateway.GatewayHarness.OTHER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Random, truncated and mutated frames into the gateway: none may throw, each must be answered or counted. */
class GatewayFuzzTest {
    private static final int FRAMES = 12_000;

    private static List<byte[]> seeds(Random rnd) {
        List<byte[]> s = new ArrayList<>();
        for (int target : new int[]{GATEWAY, HOST, OTHER, rnd.nextInt()}) {
            s.add(GatewayHarness.arpRequest(target));
        }
        s.add(GatewayHarness.arp(ArpPacket.OP_REPLY, GUEST_MAC, GUEST, GATEWAY_MAC, GATEWAY));
        s.add(GatewayHarness.arp(ArpPacket.OP_REQUEST, GUEST_MAC, GUEST, 0, GUEST));
        for (int size : new int[]{0, 1, 56, 1472}) {
            byte[] data = new byte[size];
            rnd.nextBytes(data);
            s.add(GatewayHarness.ping(GATEWAY, rnd.nextInt(0x10000), rnd.nextInt(0x10000), data));
        }
        s.add(GatewayHarness.ping(HOST, 1, 2, new byte[16]));
        s.add(GatewayHarness.ipv4(IpProtocol.TCP, Ipv4.parse("10.200.0.1")));
        s.add(udp(53));
        s.add(udp(54));
        byte[] v6 = new byte[80];
        EthernetFrame.writeHeader(MemorySegment.ofArray(v6), 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV6);
        v6[14] = 0x60;
        s.add(v6);
        return s;
    }

    private static byte[] udp(int port) {
        MemorySegment s = MemorySegment.ofArray(new byte[14 + 20 + 8 + 12]);
        UdpDatagram.write(s, 34, 40000, port, 12, GUEST, GATEWAY);
        Ipv4Packet.writeHeader(s, EthernetFrame.writeHeader(s, 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV4), 0, 40, 9, 0, 0,
                64, IpProtocol.UDP, GUEST, GATEWAY);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] mutate(Random rnd, List<byte[]> seeds) {
        byte[] base = seeds.get(rnd.nextInt(seeds.size()));
        switch (rnd.nextInt(6)) {
            case 0 -> {
                return java.util.Arrays.copyOf(base, rnd.nextInt(base.length + 1));
            }
            case 1 -> {
                byte[] r = new byte[rnd.nextInt(120)];
                rnd.nextBytes(r);
                if (r.length >= 15 && rnd.nextBoolean()) {
                    int[] types = {EtherType.ARP, EtherType.IPV4, EtherType.IPV6};
                    int t = types[rnd.nextInt(types.length)];
                    r[12] = (byte) (t >>> 8);
                    r[13] = (byte) t;
                    if (t == EtherType.IPV4) {
                        r[14] = (byte) (0x45 + rnd.nextInt(3));
                    }
                }
                return r;
            }
            case 2, 3 -> {
                byte[] m = base.clone();
                int edits = 1 + rnd.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    int at = 12 + rnd.nextInt(Math.min(m.length - 12, 40));
                    m[at] = rnd.nextBoolean() ? (byte) rnd.nextInt(256) : (byte) (m[at] ^ (1 << rnd.nextInt(8)));
                }
                if (rnd.nextBoolean() && m.length >= 34 && m[12] == 0x08 && m[13] == 0x00) {
                    // Keep the header checksum right so the mutation reaches the deeper checks.
                    MemorySegment s = MemorySegment.ofArray(m);
                    int hl = Math.min((m[14] & 0xF) * 4, m.length - 14);
                    s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 24, (short) 0);
                    int c = Checksum.checksum(s, 14, hl);
                    m[24] = (byte) (c >>> 8);
                    m[25] = (byte) c;
                }
                return m;
            }
            case 4 -> {
                byte[] g = java.util.Arrays.copyOf(base, base.length + rnd.nextInt(64));
                for (int i = base.length; i < g.length; i++) {
                    g[i] = (byte) rnd.nextInt(256);
                }
                return g;
            }
            default -> {
                return base;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0xF00DL, 20261128L})
    void everyFrameIsAnsweredOrCounted(long seed) {
        Random rnd = new Random(seed);
        GatewayHarness h = new GatewayHarness();
        h.gateway.setIpv4Handler(IpProtocol.UDP, (frame, eth, ip) -> {
            UdpDatagram udp = new UdpDatagram();
            return udp.wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength()) == null && udp.destinationPort() == 53;
        });
        List<byte[]> seeds = seeds(rnd);
        for (int i = 0; i < FRAMES; i++) {
            byte[] frame = mutate(rnd, seeds);
            int before = h.sent.size();
            try {
                h.send(frame);
                for (int r = before; r < h.sent.size(); r++) {
                    checkReply(h.sent.get(r));
                }
            } catch (Throwable t) {
                fail("seed=" + seed + " frame " + i + ": " + HexFormat.of().formatHex(frame), t);
            }
        }
        String why = "seed=" + seed + " " + h.counters.snapshot();
        assertEquals(FRAMES, h.count("gateway.frames"), why);
        assertEquals(FRAMES, h.outcomes(), why);
        assertEquals(0, h.count("gateway.internal_errors"), why);
        assertEquals(0, h.count("gateway.output_errors"), why);
        assertEquals(h.sent.size(), h.count("gateway.arp.replies_sent") + h.count("gateway.icmp.echo_replies_sent"), why);
        assertTrue(h.count("gateway.arp.replies_sent") > 0 && h.count("gateway.icmp.echo_replies_sent") > 0, why);
        assertTrue(h.count("gateway.ipv4.bad_checksum") > 0 && h.count("gateway.ethernet.truncated") > 0, why);
        assertTrue(h.count("gateway.ipv4.handled") > 0 && h.count("gateway.ipv4.unclaimed") > 0, why);
        assertEquals(h.pool.allocatedCount(), h.pool.idleCount(), "every pooled frame released: " + why);
    }

    /** A reply must be a well-formed ARP reply or ICMP echo reply from the gateway. */
    private static void checkReply(byte[] bytes) {
        MemorySegment s = MemorySegment.ofArray(bytes);
        EthernetFrame eth = new EthernetFrame();
        assertNull(eth.wrap(s));
        assertEquals(GATEWAY_MAC, eth.source());
        if (eth.etherType() == EtherType.ARP) {
            ArpPacket arp = new ArpPacket();
            assertNull(arp.wrap(s, eth.payloadOffset(), eth.payloadLength()));
            assertEquals(ArpPacket.OP_REPLY, arp.operation());
            assertTrue(arp.senderProtocolAddress() == GATEWAY || arp.senderProtocolAddress() == HOST);
            assertEquals(arp.targetHardwareAddress(), eth.destination());
            return;
        }
        assertEquals(EtherType.IPV4, eth.etherType());
        Ipv4Packet ip = new Ipv4Packet();
        assertNull(ip.wrap(s, eth.payloadOffset(), eth.payloadLength()));
        assertTrue(ip.headerChecksumValid());
        assertEquals(GATEWAY, ip.sourceAddress());
        assertEquals(64, ip.ttl());
        Icmpv4Packet icmp = new Icmpv4Packet();
        assertNull(icmp.wrap(s, ip.payloadOffset(), ip.payloadLength()));
        assertEquals(IcmpType.ECHO_REPLY, icmp.type());
        assertTrue(icmp.checksumValid());
    }
}
