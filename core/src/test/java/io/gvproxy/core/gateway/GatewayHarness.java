package io.gvproxy.core.gateway;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.ArpPacket;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A gateway wired to a recording sink, plus builders for the guest frames the tests send. */
final class GatewayHarness {
    static final long GUEST_MAC = MacAddress.parse("5a:94:ef:e4:0c:ee").bits();
    static final long GATEWAY_MAC = GatewayConfig.DEFAULT_MAC.bits();
    static final int GATEWAY = Ipv4.parse("192.168.127.1");
    static final int GUEST = Ipv4.parse("192.168.127.2");
    static final int OTHER = Ipv4.parse("192.168.127.3");
    static final int HOST = Ipv4.parse("192.168.127.254");

    final Counters counters = new Counters();
    /** The gateway's pool, for replies. */
    final FramePool pool = new FramePool(1518, 64);
    /** Guest frames come from elsewhere (a link's pool) and may be larger than any reply buffer. */
    private final FramePool inputPool = new FramePool(4096, 4);
    final List<byte[]> sent = new ArrayList<>();
    final Gateway gateway;

    GatewayHarness(GatewayConfig config) {
        gateway = new Gateway(config, counters, pool, f -> sent.add(f.data().toArray(ValueLayout.JAVA_BYTE)));
    }

    GatewayHarness() {
        this(GatewayConfig.defaults());
    }

    /** Sends the bytes as one frame from the switch, the way the switch lends it. */
    void send(byte[] bytes) {
        Frame f = inputPool.copyOf(MemorySegment.ofArray(bytes));
        try {
            gateway.accept(f);
        } finally {
            f.release();
        }
    }

    long count(String name) {
        return counters.get(name);
    }

    /** Sum of every per-frame outcome counter: all gateway.* counters but the frame total itself. */
    long outcomes() {
        long sum = 0;
        for (Map.Entry<String, Long> e : counters.snapshot().entrySet()) {
            if (e.getKey().startsWith("gateway.") && !e.getKey().equals("gateway.frames")) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    static byte[] arp(int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        MemorySegment s = MemorySegment.ofArray(new byte[42]);
        long at = EthernetFrame.writeHeader(s, 0, op == ArpPacket.OP_REQUEST ? MacAddress.BROADCAST.bits() : GATEWAY_MAC,
                senderMac, EtherType.ARP);
        ArpPacket.write(s, at, op, senderMac, senderIp, targetMac, targetIp);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] arpRequest(int targetIp) {
        return arp(ArpPacket.OP_REQUEST, GUEST_MAC, GUEST, 0, targetIp);
    }

    /** An echo request from the guest with a well-formed IPv4 header and ICMP checksum. */
    static byte[] ping(int dst, int id, int seq, byte[] data) {
        MemorySegment s = MemorySegment.ofArray(new byte[42 + data.length]);
        long ipAt = EthernetFrame.writeHeader(s, 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV4);
        MemorySegment.copy(data, 0, s, ValueLayout.JAVA_BYTE, 42, data.length);
        Icmpv4Packet.write(s, 34, IcmpType.ECHO_REQUEST, 0, Icmpv4Packet.echoRest(id, seq), data.length);
        Ipv4Packet.writeHeader(s, ipAt, 0, 28 + data.length, 0x1234, Ipv4Packet.FLAG_DF, 0, 64, IpProtocol.ICMP, GUEST, dst);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    /** A minimal IPv4 packet of any protocol with an 8-byte zero payload. */
    static byte[] ipv4(int protocol, int dst) {
        MemorySegment s = MemorySegment.ofArray(new byte[42]);
        long ipAt = EthernetFrame.writeHeader(s, 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV4);
        Ipv4Packet.writeHeader(s, ipAt, 0, 28, 7, 0, 0, 64, protocol, GUEST, dst);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }
}
