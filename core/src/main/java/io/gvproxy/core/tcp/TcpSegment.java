package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One TCP segment as the engine sees it: header fields, the options it understands and a payload described by
 * a source segment, an offset and a length (no copy). Filled field by field from a header view on input and by
 * the engine on output; it is lent for the duration of a call (see {@link SegmentSink}), so the engine reuses
 * one instance per connection and produces no garbage per segment.
 *
 * <p>The window is the raw 16-bit field, unscaled. Absent options read as -1 ({@link #mss()},
 * {@link #windowScale()}) or false.
 */
public final class TcpSegment {
    /** The most SACK blocks that fit in 40 bytes of options. */
    public static final int MAX_SACK_BLOCKS = 4;
    private static final MemorySegment NO_PAYLOAD = MemorySegment.ofArray(new byte[0]);

    private int seq;
    private int ack;
    private int flags;
    private int window;
    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlocks;
    private final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[MAX_SACK_BLOCKS];
    private MemorySegment payloadSource = NO_PAYLOAD;
    private long payloadOffset;
    private int payloadLength;

    /** Resets every field to "absent" so the instance can be refilled. */
    public TcpSegment clear() {
        seq = ack = flags = window = 0;
        mss = windowScale = -1;
        sackPermitted = timestamps = false;
        tsVal = tsEcr = 0;
        sackBlocks = 0;
        payloadSource = NO_PAYLOAD;
        payloadOffset = 0;
        payloadLength = 0;
        return this;
    }

    /** Copies every field of {@code o}; the payload is shared, not copied. */
    public TcpSegment copyFrom(TcpSegment o) {
        seq = o.seq;
        ack = o.ack;
        flags = o.flags;
        window = o.window;
        mss = o.mss;
        windowScale = o.windowScale;
        sackPermitted = o.sackPermitted;
        timestamps = o.timestamps;
        tsVal = o.tsVal;
        tsEcr = o.tsEcr;
        sackBlocks = o.sackBlocks;
        System.arraycopy(o.sackLeft, 0, sackLeft, 0, MAX_SACK_BLOCKS);
        System.arraycopy(o.sackRight, 0, sackRight, 0, MAX_SACK_BLOCKS);
        payloadSource = o.payloadSource;
        payloadOffset = o.payloadOffset;
        payloadLength = o.payloadLength;
        return this;
    }

    public TcpSegment seq(int v) {
        seq = v;
        return this;
    }

    public TcpSegment ack(int v) {
        ack = v;
        return this;
    }

    public TcpSegment flags(int v) {
        flags = v & 0xFF;
        return this;
    }

    public TcpSegment window(int v) {
        window = v & 0xFFFF;
        return this;
    }

    /** MSS option value (0..65535), or -1 for none. */
    public TcpSegment mss(int v) {
        mss = v < 0 ? -1 : v & 0xFFFF;
        return this;
    }

    /** Window-scale option shift count as received (not clamped), or -1 for none. */
    public TcpSegment windowScale(int v) {
        windowScale = v < 0 ? -1 : v & 0xFF;
        return this;
    }

    public TcpSegment sackPermitted(boolean v) {
        sackPermitted = v;
        return this;
    }

    public TcpSegment timestamps(int val, int ecr) {
        timestamps = true;
        tsVal = val;
        tsEcr = ecr;
        return this;
    }

    public TcpSegment noTimestamps() {
        timestamps = false;
        tsVal = tsEcr = 0;
        return this;
    }

    /** Adds a SACK block [left, right); blocks beyond {@link #MAX_SACK_BLOCKS} are ignored. */
    public TcpSegment addSackBlock(int left, int right) {
        if (sackBlocks < MAX_SACK_BLOCKS) {
            sackLeft[sackBlocks] = left;
            sackRight[sackBlocks] = right;
            sackBlocks++;
        }
        return this;
    }

    public TcpSegment clearSackBlocks() {
        sackBlocks = 0;
        return this;
    }

    /** The payload is {@code length} bytes of {@code source} at {@code offset}; only the reference is kept. */
    public TcpSegment payload(MemorySegment source, long offset, int length) {
        if (length < 0 || offset < 0 || offset + length > source.byteSize()) {
            throw new IndexOutOfBoundsException("payload " + offset + "+" + length + " of " + source.byteSize());
        }
        payloadSource = source;
        payloadOffset = offset;
        payloadLength = length;
        return this;
    }

    public TcpSegment payload(MemorySegment source) {
        return payload(source, 0, Math.toIntExact(source.byteSize()));
    }

    public int seq() {
        return seq;
    }

    public int ack() {
        return ack;
    }

    public int flags() {
        return flags;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public boolean syn() {
        return (flags & TcpFlags.SYN) != 0;
    }

    public boolean fin() {
        return (flags & TcpFlags.FIN) != 0;
    }

    public boolean rst() {
        return (flags & TcpFlags.RST) != 0;
    }

    public boolean ackFlag() {
        return (flags & TcpFlags.ACK) != 0;
    }

    public int window() {
        return window;
    }

    public int mss() {
        return mss;
    }

    public int windowScale() {
        return windowScale;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    public boolean hasTimestamps() {
        return timestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    public int sackBlockCount() {
        return sackBlocks;
    }

    public int sackLeft(int i) {
        return sackLeft[i];
    }

    public int sackRight(int i) {
        return sackRight[i];
    }

    public MemorySegment payloadSource() {
        return payloadSource;
    }

    public long payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** A slice over the payload (allocates a view; hot paths use source/offset/length). */
    public MemorySegment payload() {
        return payloadSource.asSlice(payloadOffset, payloadLength);
    }

    public void copyPayloadTo(MemorySegment dst, long dstOffset) {
        MemorySegment.copy(payloadSource, payloadOffset, dst, dstOffset, payloadLength);
    }

    public byte payloadByte(int i) {
        return payloadSource.get(ValueLayout.JAVA_BYTE, payloadOffset + i);
    }

    /** Sequence space the segment occupies: payload plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength + (syn() ? 1 : 0) + (fin() ? 1 : 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(TcpFlags.toString(flags)).append(" seq=").append(Integer.toUnsignedString(seq));
        if (ackFlag()) {
            sb.append(" ack=").append(Integer.toUnsignedString(ack));
        }
        sb.append(" win=").append(window).append(" len=").append(payloadLength);
        if (mss >= 0) {
            sb.append(" mss=").append(mss);
        }
        if (windowScale >= 0) {
            sb.append(" ws=").append(windowScale);
        }
        if (sackPermitted) {
            sb.append(" sackOK");
        }
        if (timestamps) {
            sb.append(" ts=").append(Integer.toUnsignedString(tsVal)).append('/')
                    .append(Integer.toUnsignedString(tsEcr));
        }
        for (int i = 0; i < sackBlocks; i++) {
            sb.append(" sack=").append(Integer.toUnsignedString(sackLeft[i])).append('-')
                    .append(Integer.toUnsignedString(sackRight[i]));
        }
        return sb.toString();
    }
}
