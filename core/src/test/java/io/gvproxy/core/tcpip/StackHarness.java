package io.gvproxy.core.tcpip;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Gateway;
import io.gvproxy.core.gateway.GatewayConfig;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.TcpOptions;
import io.gvproxy.core.wire.TcpSegment;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A gateway with a TCP stack wired to a recording sink, and a builder for the guest's TCP frames. */
final class StackHarness implements AutoCloseable {
    static final long GUEST_MAC = MacAddress.parse("5a:94:ef:e4:0c:ee").bits();
    static final long GATEWAY_MAC = GatewayConfig.DEFAULT_MAC.bits();
    static final int GUEST = Ipv4.parse("192.168.127.2");
    static final int REMOTE = Ipv4.parse("10.0.0.9");

    final Counters counters = new Counters();
    final FramePool pool = new FramePool(1518, 64);
    private final FramePool inputPool = new FramePool(4096, 4);
    final List<byte[]> sent = new ArrayList<>();
    final Gateway gateway;
    final TcpStack stack;

    StackHarness(TcpStackConfig config) {
        gateway = new Gateway(GatewayConfig.defaults(), counters, pool, f -> {
            synchronized (sent) {
                sent.add(f.data().toArray(ValueLayout.JAVA_BYTE));
            }
        });
        stack = new TcpStack(config, counters, pool, GatewayConfig.DEFAULT_MAC, f -> {
            synchronized (sent) {
                sent.add(f.data().toArray(ValueLayout.JAVA_BYTE));
            }
        });
        gateway.setIpv4Handler(IpProtocol.TCP, stack);
        gateway.setIpv4Handler(IpProtocol.ICMP, stack.icmpHandler());
    }

    StackHarness() {
        this(TcpStackConfig.forMtu(1500));
    }

    void send(byte[] bytes) {
        Frame f = inputPool.copyOf(MemorySegment.ofArray(bytes));
        try {
            gateway.accept(f);
        } finally {
            f.release();
        }
    }

    /** Takes the frames sent so far. */
    List<byte[]> drain() {
        synchronized (sent) {
            List<byte[]> out = new ArrayList<>(sent);
            sent.clear();
            return out;
        }
    }

    long count(String name) {
        return counters.get(name);
    }

    /** A guest frame from GUEST:guestPort to dst:dstPort. */
    static byte[] segment(int dst, int guestPort, int dstPort, int seq, int ack, int flags, int window,
                          TcpOptions options, byte[] payload) {
        int hl = TcpSegment.headerLength(options);
        int ipLen = 20 + hl + payload.length;
        MemorySegment s = MemorySegment.ofArray(new byte[14 + ipLen]);
        long ipAt = EthernetFrame.writeHeader(s, 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV4);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, s, ipAt + 20 + hl, payload.length);
        TcpSegment.write(s, ipAt + 20, guestPort, dstPort, seq, ack, flags, window, 0, options, payload.length, GUEST,
                dst);
        Ipv4Packet.writeHeader(s, ipAt, 0, ipLen, 1, Ipv4Packet.FLAG_DF, 0, 64, IpProtocol.TCP, GUEST, dst);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] syn(int dst, int guestPort, int dstPort, int seq) {
        TcpOptions o = new TcpOptions().mss(1460).sackPermitted(true).timestamps(1000, 0).windowScale(7);
        return segment(dst, guestPort, dstPort, seq, 0, TcpSegment.SYN, 64240, o, new byte[0]);
    }

    /** A parsed frame the stack sent; asserts the IPv4 and TCP framing and checksums. */
    record Out(EthernetFrame eth, Ipv4Packet ip, TcpSegment tcp, TcpOptions options) {
        static Out parse(byte[] bytes) {
            MemorySegment s = MemorySegment.ofArray(bytes);
            EthernetFrame eth = new EthernetFrame();
            assertNull(eth.wrap(s));
            Ipv4Packet ip = new Ipv4Packet();
            assertNull(ip.wrap(s, eth.payloadOffset(), eth.payloadLength()));
            assertTrue(ip.headerChecksumValid(), "IPv4 header checksum");
            TcpSegment tcp = new TcpSegment();
            assertNull(tcp.wrap(s, ip.payloadOffset(), ip.payloadLength()));
            assertTrue(tcp.checksumValid(ip.sourceAddress(), ip.destinationAddress()), "TCP checksum");
            return new Out(eth, ip, tcp, tcp.readOptions(new TcpOptions()));
        }

        byte[] payload() {
            return tcp.segment().asSlice(tcp.payloadOffset(), tcp.payloadLength()).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Override
    public void close() {
        stack.close();
    }
}
