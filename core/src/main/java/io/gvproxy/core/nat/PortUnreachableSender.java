package io.gvproxy.core.nat;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Tells a guest that nobody listens on a UDP port the host refused, as the real destination would: an ICMP
 * port unreachable from that destination, quoting an IPv4+UDP header of the guest's flow (the guest's stack
 * matches the error to its socket by that quote).
 */
final class PortUnreachableSender {
    private static final int TTL = 64;
    private static final int QUOTE = Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH;
    private static final ValueLayout.OfShort BE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final FramePool pool;
    private final FrameSink output;
    private final long gatewayMac;

    PortUnreachableSender(FramePool pool, FrameSink output, long gatewayMac) {
        this.pool = pool;
        this.output = output;
        this.gatewayMac = gatewayMac;
    }

    /** False when the sink refused the frame. */
    boolean send(long guestMac, int guestIp, int guestPort, int destinationIp, int destinationPort) {
        Frame frame = pool.acquire();
        try {
            MemorySegment out = frame.buffer();
            long ipAt = EthernetFrame.writeHeader(out, 0, guestMac, gatewayMac, EtherType.IPV4);
            long icmpAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
            long quoteAt = icmpAt + Icmpv4Packet.HEADER_LENGTH;
            Ipv4Packet.writeHeader(out, quoteAt, 0, QUOTE, 0, Ipv4Packet.FLAG_DF, 0, TTL, IpProtocol.UDP, guestIp,
                    destinationIp);
            long udpAt = quoteAt + Ipv4Packet.MIN_HEADER_LENGTH;
            out.set(BE_SHORT, udpAt, (short) guestPort);
            out.set(BE_SHORT, udpAt + 2, (short) destinationPort);
            out.set(BE_SHORT, udpAt + 4, (short) UdpDatagram.HEADER_LENGTH);
            out.set(BE_SHORT, udpAt + 6, (short) 0);
            long end = Icmpv4Packet.write(out, icmpAt, IcmpType.DEST_UNREACHABLE, IcmpType.CODE_PORT_UNREACHABLE, 0,
                    QUOTE);
            Ipv4Packet.writeHeader(out, ipAt, 0, (int) (end - ipAt), 0, 0, 0, TTL, IpProtocol.ICMP, destinationIp,
                    guestIp);
            frame.setLength((int) end);
            output.accept(frame);
            return true;
        } catch (RuntimeException e) {
            return false;
        } finally {
            frame.release();
        }
    }
}
