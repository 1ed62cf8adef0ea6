package io.gvproxy.ffm;

import io.gvproxy.core.wire.Checksum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What a frame read from a tap with offloads still needs before it may leave the guest: with
 * {@link VirtioNetHeader#F_NEEDS_CSUM} the guest left the TCP or UDP checksum to the device (the field holds only the
 * pseudo-header sum), so the checksum from csum_start to the end of the frame is completed here, as the kernel's
 * skb_checksum_help does (a result of 0 goes out as 0xFFFF, which UDP requires and TCP treats the same).
 */
public final class SuperFrame {
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SuperFrame() {
    }

    /**
     * Completes the checksum {@code header} asks for in the first {@code length} bytes of {@code frame}; true when
     * done or none was asked for, false when csum_start/csum_offset do not lie inside the frame (drop it).
     */
    public static boolean completeChecksum(MemorySegment frame, int length, VirtioNetHeader header) {
        if (!header.needsChecksum()) {
            return true;
        }
        int start = header.csumStart();
        int field = start + header.csumOffset();
        if (length > frame.byteSize() || start >= length || field + 2 > length) {
            return false;
        }
        int sum = Checksum.finish(Checksum.sum(frame, start, length - start));
        frame.set(BE16, field, (short) (sum == 0 ? 0xFFFF : sum));
        return true;
    }
}
