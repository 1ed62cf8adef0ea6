package io.gvproxy.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Linux {@code struct ifreq} (40 bytes on 64-bit): {@code char ifr_name[16]} and a 24-byte union at 16 that
 * holds {@code short ifr_flags}, {@code int ifr_mtu} or {@code struct sockaddr ifr_hwaddr}.
 */
public final class IfReq {
    public static final int IFNAMSIZ = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(IFNAMSIZ, ValueLayout.JAVA_BYTE).withName("ifr_name"),
            MemoryLayout.unionLayout(
                    ValueLayout.JAVA_SHORT.withName("ifr_flags"),
                    ValueLayout.JAVA_INT.withName("ifr_mtu"),
                    MemoryLayout.structLayout(
                            ValueLayout.JAVA_SHORT.withName("sa_family"),
                            MemoryLayout.sequenceLayout(14, ValueLayout.JAVA_BYTE).withName("sa_data")).withName("ifr_hwaddr"),
                    MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_LONG).withName("ifr_map")).withName("ifr_ifru"))
            .withName("ifreq");

    public static final long UNION = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("ifr_ifru"));
    public static final long HWADDR_DATA = UNION + 2;

    private IfReq() {
    }

    /** Zeroes {@code req} and writes the interface name. */
    public static void setName(MemorySegment req, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        if (b.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name longer than " + (IFNAMSIZ - 1) + " bytes: " + name);
        }
        req.asSlice(0, LAYOUT.byteSize()).fill((byte) 0);
        MemorySegment.copy(b, 0, req, ValueLayout.JAVA_BYTE, 0, b.length);
    }

    public static String name(MemorySegment req) {
        return req.getString(0, StandardCharsets.US_ASCII);
    }

    public static short flags(MemorySegment req) {
        return req.get(ValueLayout.JAVA_SHORT, UNION);
    }

    public static void setFlags(MemorySegment req, short flags) {
        req.set(ValueLayout.JAVA_SHORT, UNION, flags);
    }

    public static int mtu(MemorySegment req) {
        return req.get(ValueLayout.JAVA_INT, UNION);
    }

    public static void setMtu(MemorySegment req, int mtu) {
        req.set(ValueLayout.JAVA_INT, UNION, mtu);
    }
}
