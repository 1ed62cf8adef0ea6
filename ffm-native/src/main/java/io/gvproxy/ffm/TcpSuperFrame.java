package io.gvproxy.ffm;

import io.gvproxy.core.wire.Checksum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A TCP/IPv4 super-frame from a tap with TSO (gso_type TCPV4), cut into the MSS-sized frames the guest would have
 * sent without the offload, as the kernel's tcp_gso_segment does: every segment carries the headers of the
 * super-frame with its own IPv4 total length, identification (incremented per segment) and header checksum, its
 * own sequence number and a full TCP checksum; FIN and PSH stay on the last segment only, CWR on the first only.
 *
 * <p>Reusable: {@link #wrap} parses one super-frame, {@link #write} emits its segments one at a time, so a caller
 * can spread them over as few output buffers as it has. Reader-thread owned.
 */
public final class TcpSuperFrame {
    static final int ETHERNET_HEADER = 14;
    static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int PROTOCOL_TCP = 6;
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int CWR = 0x80;
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment src;
    private int ipHeader;
    private int tcpHeader;
    private int payload;
    private int mss;
    private int id;
    private int seq;
    private int flags;
    private int addressSum;

    /**
     * Parses {@code length} bytes of {@code frame} as Ethernet + IPv4 + TCP to be cut at {@code mss} payload bytes;
     * false when it is not such a frame or its lengths disagree (the caller drops and counts it).
     */
    public boolean wrap(MemorySegment frame, int length, int mss) {
        src = null;
        if (mss < 1 || length > frame.byteSize() || length < ETHERNET_HEADER + 40
                || u16(frame, 12) != ETHERTYPE_IPV4) {
            return false;
        }
        int vihl = frame.get(ValueLayout.JAVA_BYTE, ETHERNET_HEADER) & 0xFF;
        int ihl = (vihl & 0x0F) * 4;
        int total = u16(frame, ETHERNET_HEADER + 2);
        if (vihl >> 4 != 4 || ihl < 20 || frame.get(ValueLayout.JAVA_BYTE, ETHERNET_HEADER + 9) != PROTOCOL_TCP
                || total > length - ETHERNET_HEADER || (u16(frame, ETHERNET_HEADER + 6) & 0x3FFF) != 0) {
            return false;
        }
        int tcpAt = ETHERNET_HEADER + ihl;
        if (tcpAt + 20 > ETHERNET_HEADER + total) {
            return false;
        }
        int doff = ((frame.get(ValueLayout.JAVA_BYTE, tcpAt + 12) & 0xFF) >> 4) * 4;
        if (doff < 20 || ihl + doff > total) {
            return false;
        }
        this.src = frame;
        this.ipHeader = ihl;
        this.tcpHeader = doff;
        this.payload = total - ihl - doff;
        this.mss = mss;
        this.id = u16(frame, ETHERNET_HEADER + 4);
        this.seq = frame.get(BE32, tcpAt + 4);
        this.flags = frame.get(ValueLayout.JAVA_BYTE, tcpAt + 13) & 0xFF;
        int s = frame.get(BE32, ETHERNET_HEADER + 12);
        int d = frame.get(BE32, ETHERNET_HEADER + 16);
        this.addressSum = Checksum.pseudoHeaderSum(s, d, PROTOCOL_TCP, 0);
        return true;
    }

    /** As {@link #wrap(MemorySegment, int, int)} with segments sized for an IP MTU of {@code mtu}. */
    public boolean wrapForMtu(MemorySegment frame, int length, int mtu) {
        if (!wrap(frame, length, 1)) {
            return false;
        }
        mss = mtu - ipHeader - tcpHeader;
        if (mss < 1) {
            src = null;
            return false;
        }
        return true;
    }

    /** Whether the wrapped frame carries more payload than one segment. */
    public boolean needsSegments() {
        return payload > mss;
    }

    public int segmentSize() {
        return mss;
    }

    /** Offset of the TCP header in the frame (csum_start of a partial checksum). */
    public int tcpOffset() {
        return ETHERNET_HEADER + ipHeader;
    }

    public int headersLength() {
        return ETHERNET_HEADER + ipHeader + tcpHeader;
    }

    /**
     * Replaces the TCP checksum of the wrapped frame by the sum of its pseudo-header alone, what a device with
     * checksum offload expects next to F_NEEDS_CSUM (csum_start = {@link #tcpOffset()}, csum_offset = 16).
     */
    public void toPartialChecksum() {
        int tcpLength = tcpHeader + payload;
        src.set(BE16, tcpOffset() + TCP_CHECKSUM_OFFSET, (short) Checksum.add(addressSum, tcpLength));
    }

    /** Segments of the wrapped super-frame (at least 1: a frame without payload stays one frame). */
    public int segmentCount() {
        return payload == 0 ? 1 : (payload + mss - 1) / mss;
    }

    /** Bytes the largest segment takes: what each output buffer must hold. */
    public int maxSegmentLength() {
        return headersLength() + Math.min(payload, mss);
    }

    /** Writes segment {@code index} (0 ≤ index < {@link #segmentCount()}) to {@code dst}; returns its length. */
    public int write(int index, MemorySegment dst) {
        int headers = headersLength();
        int offset = index * mss;
        int n = Math.min(mss, payload - offset);
        int length = headers + n;
        if (index < 0 || index >= segmentCount() || dst.byteSize() < length) {
            throw new IndexOutOfBoundsException("segment " + index + " of " + segmentCount() + " into " + dst.byteSize());
        }
        MemorySegment.copy(src, 0, dst, 0, headers);
        MemorySegment.copy(src, headers + offset, dst, headers, n);
        int ip = ETHERNET_HEADER;
        dst.set(BE16, ip + 2, (short) (ipHeader + tcpHeader + n));
        dst.set(BE16, ip + 4, (short) (id + index));
        dst.set(BE16, ip + 10, (short) 0);
        dst.set(BE16, ip + 10, (short) Checksum.checksum(dst, ip, ipHeader));
        int tcp = ip + ipHeader;
        dst.set(BE32, tcp + 4, seq + offset);
        int f = flags;
        if (index < segmentCount() - 1) {
            f &= ~(FIN | PSH);
        }
        if (index > 0) {
            f &= ~CWR;
        }
        dst.set(ValueLayout.JAVA_BYTE, tcp + 13, (byte) f);
        dst.set(BE16, tcp + 16, (short) 0);
        int segmentLength = tcpHeader + n;
        int sum = Checksum.sum(dst, tcp, segmentLength, Checksum.add(addressSum, segmentLength));
        dst.set(BE16, tcp + 16, (short) Checksum.finish(sum));
        return length;
    }

    private static int u16(MemorySegment seg, long offset) {
        return seg.get(BE16, offset) & 0xFFFF;
    }
}
