package io.gvproxy.core.tcpip;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.gateway.Ipv4Handler;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Path MTU discovery for connections towards guests (RFC 1191): a guest that routes our segments onwards over a
 * smaller link answers one with ICMP "fragmentation needed" (we always set DF); the quoted IPv4 header and the
 * first 8 bytes of TCP name the connection, whose MSS drops to the reported MTU minus 40. Other ICMP messages
 * are left to the gateway (returns false).
 */
final class FragmentationNeededHandler implements Ipv4Handler {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int ICMP_HEADER = 8;
    /** RFC 791: every link carries 68 bytes; smaller "MTUs" are bogus. */
    private static final int MIN_MTU = 68;

    private final TcpStack stack;

    FragmentationNeededHandler(TcpStack stack) {
        this.stack = stack;
    }

    @Override
    public boolean handle(Frame frame, EthernetFrame ethernet, Ipv4Packet ip) {
        MemorySegment s = ip.segment();
        long at = ip.payloadOffset();
        int length = ip.payloadLength();
        if (length < ICMP_HEADER + Ipv4Packet.MIN_HEADER_LENGTH + 8
                || u8(s, at) != IcmpType.DEST_UNREACHABLE || u8(s, at + 1) != IcmpType.CODE_FRAGMENTATION_NEEDED) {
            return false;
        }
        long inner = at + ICMP_HEADER;
        int ihl = (u8(s, inner) & 0xF) * 4;
        if ((u8(s, inner) >>> 4) != 4 || ihl < Ipv4Packet.MIN_HEADER_LENGTH || ICMP_HEADER + ihl + 8 > length
                || u8(s, inner + 9) != IpProtocol.TCP) {
            return false;
        }
        if (stack.config.verifyChecksums() && Checksum.sum(s, at, length) != 0xFFFF) {
            stack.counters.icmpIgnored.increment();
            return true;
        }
        int mtu = Short.toUnsignedInt(s.get(U16, at + 6));
        int localIp = s.get(U32, inner + 12);
        int remoteIp = s.get(U32, inner + 16);
        int localPort = Short.toUnsignedInt(s.get(U16, inner + ihl));
        int remotePort = Short.toUnsignedInt(s.get(U16, inner + ihl + 2));
        StackConnection c = stack.connection(localIp, localPort, remoteIp, remotePort);
        if (c == null || mtu < MIN_MTU) {
            stack.counters.icmpIgnored.increment();
            return true;
        }
        c.lock.lock();
        try {
            c.tcp.lowerSendMss(mtu - TcpStackConfig.HEADER_OVERHEAD);
        } finally {
            c.lock.unlock();
        }
        stack.counters.icmpFragNeeded.increment();
        return true;
    }

    private static int u8(MemorySegment s, long at) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at));
    }
}
