package io.gvproxy.ffm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@code struct virtio_net_hdr_mrg_rxbuf} (include/uapi/linux/virtio_net.h), the 12 bytes a tap opened with
 * IFF_VNET_HDR and TUNSETVNETHDRSZ 12 puts before every frame it reads and expects before every frame written:
 * flags (u8), gso_type (u8), hdr_len, gso_size, csum_start, csum_offset, num_buffers (16-bit each). The 16-bit
 * fields are in the host's byte order, as the tap uses unless TUNSETVNETLE/BE says otherwise.
 *
 * <p>A view over a segment of at least {@link #SIZE} bytes; values from the kernel are not trusted here, the
 * consumers ({@link SuperFrame}, {@link TcpSuperFrame}) check them against the frame.
 */
public final class VirtioNetHeader {
    public static final int SIZE = 12;
    /** csum_start/csum_offset name a checksum the reader must complete (the field holds the pseudo-header sum). */
    public static final int F_NEEDS_CSUM = 1;
    /** The checksums were verified (or need none); set on frames written to the guest. */
    public static final int F_DATA_VALID = 2;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    /** Or'ed into gso_type: the super-frame carries CWR, which only the first segment may keep. */
    public static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final MemorySegment seg;

    public VirtioNetHeader(MemorySegment seg) {
        if (seg.byteSize() < SIZE) {
            throw new IllegalArgumentException("virtio_net_hdr needs " + SIZE + " bytes, got " + seg.byteSize());
        }
        this.seg = seg;
    }

    public MemorySegment segment() {
        return seg;
    }

    public int flags() {
        return seg.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
    }

    public int gsoType() {
        return seg.get(ValueLayout.JAVA_BYTE, 1) & 0xFF;
    }

    public int hdrLen() {
        return u16(2);
    }

    public int gsoSize() {
        return u16(4);
    }

    public int csumStart() {
        return u16(6);
    }

    public int csumOffset() {
        return u16(8);
    }

    public boolean needsChecksum() {
        return (flags() & F_NEEDS_CSUM) != 0;
    }

    /** A plain frame: no checksum to complete, no segmentation. */
    public VirtioNetHeader clear() {
        seg.asSlice(0, SIZE).fill((byte) 0);
        return this;
    }

    public VirtioNetHeader set(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        seg.set(ValueLayout.JAVA_BYTE, 0, (byte) flags);
        seg.set(ValueLayout.JAVA_BYTE, 1, (byte) gsoType);
        seg.set(U16, 2, (short) hdrLen);
        seg.set(U16, 4, (short) gsoSize);
        seg.set(U16, 6, (short) csumStart);
        seg.set(U16, 8, (short) csumOffset);
        seg.set(U16, 10, (short) 0);
        return this;
    }

    private int u16(long offset) {
        return seg.get(U16, offset) & 0xFFFF;
    }
}
