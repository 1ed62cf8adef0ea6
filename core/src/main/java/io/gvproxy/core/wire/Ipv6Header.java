package io.gvproxy.core.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fixed 40-byte IPv6 header (RFC 8200). Only classified and counted here: the network is IPv4-only, as
 * upstream's is. Extension headers are not walked; {@link #nextHeader()} is the first one's type.
 */
public final class Ipv6Header extends WireView {
    public static final int HEADER_LENGTH = 40;

    @Override
    Malformed validate() {
        if (length < HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        if (u8(0) >>> 4 != 6) {
            return Malformed.BAD_VERSION;
        }
        if (u16(4) > length - HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        return null;
    }

    public int version() {
        return u8(0) >>> 4;
    }

    public int trafficClass() {
        return (i32(0) >>> 20) & 0xFF;
    }

    public int flowLabel() {
        return i32(0) & 0xF_FFFF;
    }

    public int payloadLength() {
        return u16(4);
    }

    public int nextHeader() {
        return u8(6);
    }

    public int hopLimit() {
        return u8(7);
    }

    /** High 64 bits of the source address. */
    public long sourceHigh() {
        return seg.get(U64, base + 8);
    }

    public long sourceLow() {
        return seg.get(U64, base + 16);
    }

    public long destinationHigh() {
        return seg.get(U64, base + 24);
    }

    public long destinationLow() {
        return seg.get(U64, base + 32);
    }

    /** The source address as 16 bytes in network order. */
    public byte[] sourceAddress() {
        return seg.asSlice(base + 8, 16).toArray(ValueLayout.JAVA_BYTE);
    }

    public byte[] destinationAddress() {
        return seg.asSlice(base + 24, 16).toArray(ValueLayout.JAVA_BYTE);
    }

    public long payloadOffset() {
        return base + HEADER_LENGTH;
    }

    /** Writes the fixed header at {@code offset}; addresses as two 64-bit halves each; returns the payload offset. */
    public static long writeHeader(MemorySegment seg, long offset, int trafficClass, int flowLabel, int payloadLength,
                                   int nextHeader, int hopLimit, long srcHigh, long srcLow, long dstHigh, long dstLow) {
        put32(seg, offset, (6 << 28) | ((trafficClass & 0xFF) << 20) | (flowLabel & 0xF_FFFF));
        put16(seg, offset + 4, payloadLength);
        put8(seg, offset + 6, nextHeader);
        put8(seg, offset + 7, hopLimit);
        seg.set(U64, offset + 8, srcHigh);
        seg.set(U64, offset + 16, srcLow);
        seg.set(U64, offset + 24, dstHigh);
        seg.set(U64, offset + 32, dstLow);
        return offset + HEADER_LENGTH;
    }
}
