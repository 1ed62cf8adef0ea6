package io.gvproxy.core.wire;

import java.lang.foreign.MemorySegment;

/**
 * An IPv4 packet (RFC 791). Options are not interpreted: the header length (IHL) skips them. Bytes past the
 * total length (Ethernet padding) are outside {@link #payloadLength()}.
 */
public final class Ipv4Packet extends WireView {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    /** Flag bits as they sit in the 16-bit flags/fragment-offset word. */
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    private static final int OFFSET_MASK = 0x1FFF;
    private static final int FLAGS_MASK = 0xE000;

    @Override
    Malformed validate() {
        if (length < MIN_HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        int vihl = u8(0);
        if (vihl >>> 4 != 4) {
            return Malformed.BAD_VERSION;
        }
        int hl = (vihl & 0xF) * 4;
        if (hl < MIN_HEADER_LENGTH) {
            return Malformed.BAD_HEADER_LENGTH;
        }
        if (hl > length) {
            return Malformed.TRUNCATED;
        }
        int total = u16(2);
        if (total < hl) {
            return Malformed.BAD_TOTAL_LENGTH;
        }
        if (total > length) {
            return Malformed.TRUNCATED;
        }
        return null;
    }

    public int version() {
        return u8(0) >>> 4;
    }

    /** Header length in bytes (IHL * 4), options included. */
    public int headerLength() {
        return (u8(0) & 0xF) * 4;
    }

    /** The DSCP and ECN bits, the former type-of-service byte. */
    public int dscpEcn() {
        return u8(1);
    }

    public int totalLength() {
        return u16(2);
    }

    public int identification() {
        return u16(4);
    }

    public boolean dontFragment() {
        return (u16(6) & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (u16(6) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field counts 8-byte units). */
    public int fragmentOffset() {
        return (u16(6) & OFFSET_MASK) * 8;
    }

    /** True for any piece of a fragmented datagram: MF set or a non-zero offset. */
    public boolean isFragment() {
        return (u16(6) & (FLAG_MF | OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return u8(8);
    }

    public int protocol() {
        return u8(9);
    }

    public int headerChecksum() {
        return u16(10);
    }

    public int sourceAddress() {
        return i32(12);
    }

    public int destinationAddress() {
        return i32(16);
    }

    /** Offset of the payload in {@link #segment()}. */
    public long payloadOffset() {
        return base + headerLength();
    }

    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Whether the header checksum verifies (the one's complement sum over the header is all ones). */
    public boolean headerChecksumValid() {
        return Checksum.sum(seg, base, headerLength()) == 0xFFFF;
    }

    /** Rewrites the source address, updating the header checksum incrementally. */
    public void setSourceAddress(int address) {
        put16(seg, base + 10, Checksum.update32(headerChecksum(), sourceAddress(), address));
        put32(seg, base + 12, address);
    }

    /** Rewrites the destination address, updating the header checksum incrementally. */
    public void setDestinationAddress(int address) {
        put16(seg, base + 10, Checksum.update32(headerChecksum(), destinationAddress(), address));
        put32(seg, base + 16, address);
    }

    /** Rewrites the TTL, updating the header checksum incrementally (TTL shares a word with the protocol). */
    public void setTtl(int ttl) {
        int oldWord = u16(8);
        int newWord = ((ttl & 0xFF) << 8) | protocol();
        put16(seg, base + 10, Checksum.update(headerChecksum(), oldWord, newWord));
        put8(seg, base + 8, ttl);
    }

    /**
     * Writes a 20-byte header without options at {@code offset}, checksum included; returns the payload's offset.
     *
     * @param flags          {@link #FLAG_DF} and/or {@link #FLAG_MF}
     * @param fragmentOffset in bytes, a multiple of 8
     */
    public static long writeHeader(MemorySegment seg, long offset, int dscpEcn, int totalLength, int identification,
                                   int flags, int fragmentOffset, int ttl, int protocol, int source, int destination) {
        put8(seg, offset, 0x45);
        put8(seg, offset + 1, dscpEcn);
        put16(seg, offset + 2, totalLength);
        put16(seg, offset + 4, identification);
        put16(seg, offset + 6, (flags & FLAGS_MASK) | ((fragmentOffset >>> 3) & OFFSET_MASK));
        put8(seg, offset + 8, ttl);
        put8(seg, offset + 9, protocol);
        put16(seg, offset + 10, 0);
        put32(seg, offset + 12, source);
        put32(seg, offset + 16, destination);
        put16(seg, offset + 10, Checksum.checksum(seg, offset, MIN_HEADER_LENGTH));
        return offset + MIN_HEADER_LENGTH;
    }
}
