package io.gvproxy.core.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** A 48-bit Ethernet address held in the low bits of a long, so that it can key maps without allocation. */
public record MacAddress(long bits) {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("not a 48-bit MAC: " + Long.toHexString(bits));
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with {@code -}), case-insensitive. */
    public static MacAddress parse(String s) {
        String[] parts = s.trim().split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("invalid MAC address: " + s);
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) {
                throw new IllegalArgumentException("invalid MAC address: " + s);
            }
            try {
                v = (v << 8) | Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid MAC address: " + s);
            }
        }
        return new MacAddress(v);
    }

    /** Reads six bytes at {@code offset}; the caller has checked the bounds. */
    public static long read(MemorySegment seg, long offset) {
        long hi = Short.toUnsignedLong(seg.get(U16, offset));
        long lo = Integer.toUnsignedLong(seg.get(U32, offset + 2));
        return (hi << 32) | lo;
    }

    public static MacAddress at(MemorySegment seg, long offset) {
        return new MacAddress(read(seg, offset));
    }

    public static void write(MemorySegment seg, long offset, long bits) {
        seg.set(U16, offset, (short) (bits >>> 32));
        seg.set(U32, offset + 2, (int) bits);
    }

    public void writeTo(MemorySegment seg, long offset) {
        write(seg, offset, bits);
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return b;
    }

    public static MacAddress fromBytes(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    /** Group bit of the first octet: broadcast and multicast. */
    public boolean isMulticast() {
        return isMulticast(bits);
    }

    public static boolean isMulticast(long bits) {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    public boolean isBroadcast() {
        return bits == BROADCAST.bits;
    }

    /** A random unicast, locally administered address (as VPNKit hands to unknown UUIDs). */
    public static MacAddress randomLocal(RandomGenerator rnd) {
        long v = rnd.nextLong() & 0xFFFF_FFFF_FFFFL;
        v &= ~0x0100_0000_0000L; // unicast
        v |= 0x0200_0000_0000L;  // locally administered
        return new MacAddress(v);
    }

    /** Lower-case colon form, as Go prints it. */
    @Override
    public String toString() {
        HexFormat hex = HexFormat.ofDelimiter(":");
        return hex.formatHex(toBytes());
    }
}
