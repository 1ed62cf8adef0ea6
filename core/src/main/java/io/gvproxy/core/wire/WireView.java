package io.gvproxy.core.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A re-pointable window onto one header inside a {@link MemorySegment}. Views are mutable so that one instance
 * can be reused for every frame on a thread; they are not thread-safe. After a failed {@code wrap} the view is
 * pointed at an empty segment, so a stray accessor call throws instead of reading stale bytes.
 */
public abstract sealed class WireView
        permits ArpPacket, EthernetFrame, Icmpv4Packet, Ipv4Packet, Ipv6Header, TcpSegment, UdpDatagram {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    MemorySegment seg = EMPTY;
    long base;
    long length;

    /** Points the view at the whole segment and validates it; {@code null} means valid. */
    public final Malformed wrap(MemorySegment segment) {
        return wrap(segment, 0, segment.byteSize());
    }

    /** Points the view at {@code length} bytes from {@code offset} and validates them; {@code null} means valid. */
    public final Malformed wrap(MemorySegment segment, long offset, long length) {
        if (segment == null || offset < 0 || length < 0 || offset > segment.byteSize() - length) {
            clear();
            return Malformed.OUT_OF_BOUNDS;
        }
        this.seg = segment;
        this.base = offset;
        this.length = length;
        Malformed m = validate();
        if (m != null) {
            clear();
        }
        return m;
    }

    /** Checks the bytes now in view; {@link #seg}, {@link #base} and {@link #length} are set. */
    abstract Malformed validate();

    private void clear() {
        seg = EMPTY;
        base = 0;
        length = 0;
    }

    public final MemorySegment segment() {
        return seg;
    }

    /** Offset of the header's first byte in {@link #segment()}. */
    public final long offset() {
        return base;
    }

    /** Bytes in view: the header plus whatever follows it in the window handed to {@code wrap}. */
    public final long length() {
        return length;
    }

    final int u8(long at) {
        return Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, base + at));
    }

    final int u16(long at) {
        return Short.toUnsignedInt(seg.get(U16, base + at));
    }

    final int i32(long at) {
        return seg.get(U32, base + at);
    }

    static int u8(MemorySegment s, long at) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at));
    }

    static int u16(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(U16, at));
    }

    static void put8(MemorySegment s, long at, int v) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) v);
    }

    static void put16(MemorySegment s, long at, int v) {
        s.set(U16, at, (short) v);
    }

    static void put32(MemorySegment s, long at, int v) {
        s.set(U32, at, v);
    }
}
