package io.gvproxy.core.gateway;

import static io.gvproxy.core.gateway.GatewayHarness.GATEWAY_MAC;
import static io.gvproxy.core.gateway.GatewayHarness.GUEST;
import static io.gvproxy.core.gateway.GatewayHarness.GUEST_MAC;
import static io.gvproxy.core.gateway.GatewayHarness.HOST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames over the MTU: only through the large-segment input, and only TCP. */
class GatewayLargeSegmentTest {
    private final GatewayHarness h = new GatewayHarness();
    private final FramePool largePool = new FramePool(65535, 2);
    private final List<Integer> handled = new ArrayList<>();

    GatewayLargeSegmentTest() {
        Ipv4Handler record = (frame, eth, ip) -> handled.add(ip.totalLength());
        h.gateway.setIpv4Handler(IpProtocol.TCP, record);
        h.gateway.setIpv4Handler(IpProtocol.UDP, record);
    }

    private static byte[] packet(int protocol, int totalLength) {
        MemorySegment s = MemorySegment.ofArray(new byte[14 + totalLength]);
        long ipAt = EthernetFrame.writeHeader(s, 0, GATEWAY_MAC, GUEST_MAC, EtherType.IPV4);
        Ipv4Packet.writeHeader(s, ipAt, 0, totalLength, 7, Ipv4Packet.FLAG_DF, 0, 64, protocol, GUEST, HOST);
        return s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    private void send(FrameSink sink, byte[] bytes) {
        Frame f = largePool.copyOf(MemorySegment.ofArray(bytes));
        try {
            sink.accept(f);
        } finally {
            f.release();
        }
    }

    @Test
    void tcpOverTheMtuIsTakenOnlyFromTheLargeSegmentInput() {
        send(h.gateway, packet(IpProtocol.TCP, 3000));
        assertEquals(List.of(), handled);
        assertEquals(1, h.count("gateway.ipv4.exceeds_mtu"));
        send(h.gateway.largeSegmentInput(), packet(IpProtocol.TCP, 65535 - 14));
        send(h.gateway.largeSegmentInput(), packet(IpProtocol.TCP, 3000));
        assertEquals(List.of(65535 - 14, 3000), handled);
        assertEquals(2, h.count("gateway.ipv4.handled"));
    }

    @Test
    void otherProtocolsOverTheMtuAreCountedAndDropped() {
        send(h.gateway.largeSegmentInput(), packet(IpProtocol.UDP, 3000));
        send(h.gateway.largeSegmentInput(), packet(IpProtocol.ICMP, 3000));
        assertEquals(List.of(), handled);
        assertEquals(2, h.count("gateway.ipv4.large_not_tcp"));
        assertEquals(2, h.outcomes(), "each frame ends in exactly one outcome counter");
    }

    @Test
    void withinTheMtuTheLargeSegmentInputBehavesAsTheUsualOne() {
        send(h.gateway.largeSegmentInput(), packet(IpProtocol.UDP, 1500));
        send(h.gateway.largeSegmentInput(), packet(IpProtocol.TCP, 200));
        assertEquals(List.of(1500, 200), handled);
        assertEquals(0, h.count("gateway.ipv4.large_not_tcp"));
    }
}
