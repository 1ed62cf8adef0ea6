package io.gvproxy.core.wire;

import java.lang.foreign.MemorySegment;

/**
 * An ICMPv4 message (RFC 792): type, code, checksum and the 4-byte "rest of header" whose meaning depends on
 * the type (echo identifier and sequence; the next-hop MTU of "fragmentation needed", RFC 1191).
 */
public final class Icmpv4Packet extends WireView {
    public static final int HEADER_LENGTH = 8;

    @Override
    Malformed validate() {
        return length < HEADER_LENGTH ? Malformed.TRUNCATED : null;
    }

    public int type() {
        return u8(0);
    }

    public int code() {
        return u8(1);
    }

    public int checksum() {
        return u16(2);
    }

    /** Bytes 4..7 as one int: the type-specific rest of the header. */
    public int restOfHeader() {
        return i32(4);
    }

    /** Echo request/reply identifier. */
    public int echoIdentifier() {
        return u16(4);
    }

    /** Echo request/reply sequence number. */
    public int echoSequence() {
        return u16(6);
    }

    /** Next-hop MTU of destination-unreachable code 4 (fragmentation needed); 0 from pre-RFC 1191 routers. */
    public int nextHopMtu() {
        return u16(6);
    }

    /** Offset of the data after the 8-byte header (echo payload, or the offending datagram of an error). */
    public long payloadOffset() {
        return base + HEADER_LENGTH;
    }

    public long payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Whether the checksum over the whole message in view verifies. */
    public boolean checksumValid() {
        return Checksum.sum(seg, base, length) == 0xFFFF;
    }

    /**
     * Writes the 8-byte header at {@code offset} and the checksum over it and the {@code payloadLength} bytes
     * already following it; returns the offset after the message.
     */
    public static long write(MemorySegment seg, long offset, int type, int code, int restOfHeader, long payloadLength) {
        put8(seg, offset, type);
        put8(seg, offset + 1, code);
        put16(seg, offset + 2, 0);
        put32(seg, offset + 4, restOfHeader);
        long total = HEADER_LENGTH + payloadLength;
        put16(seg, offset + 2, Checksum.checksum(seg, offset, total));
        return offset + total;
    }

    /** The rest-of-header word of an echo request or reply. */
    public static int echoRest(int identifier, int sequence) {
        return ((identifier & 0xFFFF) << 16) | (sequence & 0xFFFF);
    }

    /** The rest-of-header word of destination-unreachable code 4. */
    public static int fragmentationNeededRest(int nextHopMtu) {
        return nextHopMtu & 0xFFFF;
    }
}
