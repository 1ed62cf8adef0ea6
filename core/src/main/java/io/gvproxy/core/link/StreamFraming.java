package io.gvproxy.core.link;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * How whole frames are delimited on a byte stream: a length prefix, then the frame (no FCS, no virtio header).
 */
public enum StreamFraming {
    /** QEMU {@code -netdev stream/socket}: 4-byte big-endian length ({@code -listen-qemu}). */
    QEMU(4, StreamFraming.MAX_RECEIVE_LENGTH),
    /**
     * HyperKit/VPNKit: 2-byte little-endian length ({@code -listen-vpnkit} after the handshake,
     * {@code -listen-stdio}, HTTP {@code /connect}). A frame over 65535 bytes cannot be expressed.
     */
    HYPERKIT(2, 0xFFFF);

    /**
     * Upstream (main) drops a stream connection announcing more than 128 KiB: a larger length is taken as
     * loss of synchronisation rather than a frame, and it bounds what one peer can make us buffer.
     */
    public static final int MAX_RECEIVE_LENGTH = 128 * 1024;

    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int headerSize;
    private final int maxSendLength;

    StreamFraming(int headerSize, int maxSendLength) {
        this.headerSize = headerSize;
        this.maxSendLength = maxSendLength;
    }

    /** Bytes of the length prefix. */
    public int headerSize() {
        return headerSize;
    }

    /**
     * The longest frame this link sends. QEMU framing could say more, but our own receivers (and upstream's)
     * drop the connection above {@link #MAX_RECEIVE_LENGTH}, so a larger frame is skipped instead.
     */
    public int maxSendLength() {
        return maxSendLength;
    }

    /**
     * The announced length at {@code offset}; the caller has checked that {@link #headerSize()} bytes are there.
     * Lengths are unsigned: a QEMU length with the top bit set is reported as {@link Integer#MAX_VALUE}, which
     * callers reject as too long.
     */
    public int readLength(MemorySegment seg, long offset) {
        return switch (this) {
            case QEMU -> {
                int v = seg.get(INT_BE, offset);
                yield v < 0 ? Integer.MAX_VALUE : v;
            }
            case HYPERKIT -> Short.toUnsignedInt(seg.get(SHORT_LE, offset));
        };
    }

    /** Writes the prefix for a frame of {@code length} bytes (at most {@link #maxSendLength()}). */
    public void writeLength(MemorySegment seg, long offset, int length) {
        switch (this) {
            case QEMU -> seg.set(INT_BE, offset, length);
            case HYPERKIT -> seg.set(SHORT_LE, offset, (short) length);
        }
    }
}
