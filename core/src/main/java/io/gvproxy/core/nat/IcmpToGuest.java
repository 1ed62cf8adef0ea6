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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes the ICMP the NAT sends to guests: echo replies as if from the pinged address, and ICMP errors quoting
 * the guest's own echo request (an IPv4 header from the guest to the pinged address, then the echo message as
 * far as the reporter quoted it) so that the guest's stack can hand the error to its pinging socket.
 */
final class IcmpToGuest {
    static final int SENT = 0;
    static final int TOO_LARGE = 1;
    static final int REFUSED = 2;
    private static final int TTL = 64;
    /** RFC 1812 4.3.2.3: an ICMP error should not exceed 576 bytes; the rest of a long quote is cut. */
    private static final int MAX_ERROR_LENGTH = 576;
    private static final int ERROR_OVERHEAD = 2 * Ipv4Packet.MIN_HEADER_LENGTH + Icmpv4Packet.HEADER_LENGTH;

    private final FramePool pool;
    private final FrameSink output;
    private final long gatewayMac;
    private final AtomicInteger identification = new AtomicInteger();

    IcmpToGuest(FramePool pool, FrameSink output, long gatewayMac) {
        this.pool = pool;
        this.output = output;
        this.gatewayMac = gatewayMac;
    }

    int echoReply(long guestMac, int from, int guestIp, int identifier, int sequence, MemorySegment data) {
        int ipLength = Ipv4Packet.MIN_HEADER_LENGTH + Icmpv4Packet.HEADER_LENGTH + (int) data.byteSize();
        Frame frame = pool.acquire();
        try {
            if (EthernetFrame.HEADER_LENGTH + ipLength > frame.capacity()) {
                return TOO_LARGE;
            }
            MemorySegment out = frame.buffer();
            long ipAt = EthernetFrame.writeHeader(out, 0, guestMac, gatewayMac, EtherType.IPV4);
            long icmpAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
            MemorySegment.copy(data, 0, out, icmpAt + Icmpv4Packet.HEADER_LENGTH, data.byteSize());
            long end = Icmpv4Packet.write(out, icmpAt, IcmpType.ECHO_REPLY, 0,
                    Icmpv4Packet.echoRest(identifier, sequence), data.byteSize());
            Ipv4Packet.writeHeader(out, ipAt, 0, ipLength, nextId(), 0, 0, TTL, IpProtocol.ICMP, from, guestIp);
            frame.setLength((int) end);
            return emit(frame);
        } finally {
            frame.release();
        }
    }

    /**
     * @param from     the error's source as the guest sees it
     * @param pingedIp the destination of the quoted request (before NAT)
     * @param quote    the echo request from its type byte on, at least its 8-byte header
     */
    int error(long guestMac, int from, int guestIp, int pingedIp, int type, int code, int info, MemorySegment quote) {
        Frame frame = pool.acquire();
        try {
            int room = Math.min(MAX_ERROR_LENGTH, frame.capacity() - EthernetFrame.HEADER_LENGTH) - ERROR_OVERHEAD;
            if (room < Icmpv4Packet.HEADER_LENGTH) {
                return TOO_LARGE;
            }
            int quoted = (int) Math.min(quote.byteSize(), room);
            int innerLength = Ipv4Packet.MIN_HEADER_LENGTH + quoted;
            MemorySegment out = frame.buffer();
            long ipAt = EthernetFrame.writeHeader(out, 0, guestMac, gatewayMac, EtherType.IPV4);
            long icmpAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
            long innerAt = icmpAt + Icmpv4Packet.HEADER_LENGTH;
            Ipv4Packet.writeHeader(out, innerAt, 0, innerLength, 0, 0, 0, TTL, IpProtocol.ICMP, guestIp, pingedIp);
            MemorySegment.copy(quote, 0, out, innerAt + Ipv4Packet.MIN_HEADER_LENGTH, quoted);
            int rest = type == IcmpType.DEST_UNREACHABLE && code == IcmpType.CODE_FRAGMENTATION_NEEDED
                    ? Icmpv4Packet.fragmentationNeededRest(info) : 0;
            long end = Icmpv4Packet.write(out, icmpAt, type, code, rest, innerLength);
            Ipv4Packet.writeHeader(out, ipAt, 0, (int) (end - ipAt), nextId(), 0, 0, TTL, IpProtocol.ICMP, from,
                    guestIp);
            frame.setLength((int) end);
            return emit(frame);
        } finally {
            frame.release();
        }
    }

    private int emit(Frame frame) {
        try {
            output.accept(frame);
            return SENT;
        } catch (RuntimeException e) {
            // a full or closed switch queue: the guest's ping times out as on a lossy link
            return REFUSED;
        }
    }

    private int nextId() {
        return identification.getAndIncrement() & 0xFFFF;
    }
}
