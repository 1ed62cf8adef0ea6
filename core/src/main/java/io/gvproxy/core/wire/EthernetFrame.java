package io.gvproxy.core.wire;

import io.gvproxy.core.net.MacAddress;

import java.lang.foreign.MemorySegment;

/** An Ethernet II frame without FCS: destination, source, EtherType, payload. */
public final class EthernetFrame extends WireView {
    public static final int HEADER_LENGTH = 14;

    @Override
    Malformed validate() {
        return length < HEADER_LENGTH ? Malformed.TRUNCATED : null;
    }

    /** Destination MAC as 48 bits in a long (see {@link MacAddress#bits()}). */
    public long destination() {
        return MacAddress.read(seg, base);
    }

    public long source() {
        return MacAddress.read(seg, base + 6);
    }

    public int etherType() {
        return u16(12);
    }

    /** Offset of the payload in {@link #segment()}. */
    public long payloadOffset() {
        return base + HEADER_LENGTH;
    }

    public long payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Writes the 14-byte header at {@code offset}; returns the payload's offset. */
    public static long writeHeader(MemorySegment seg, long offset, long destination, long source, int etherType) {
        MacAddress.write(seg, offset, destination);
        MacAddress.write(seg, offset + 6, source);
        put16(seg, offset + 12, etherType);
        return offset + HEADER_LENGTH;
    }
}
