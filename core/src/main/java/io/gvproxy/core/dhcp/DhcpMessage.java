package io.gvproxy.core.dhcp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A parsed DHCP/BOOTP message (RFC 2131 §2): the fixed BOOTP header, the magic cookie and the options field.
 * Option overload (option 52) is not honoured: the sname and file fields are never read as options.
 */
public record DhcpMessage(int op, int htype, int hlen, int hops, int xid, int secs, int flags,
                          int ciaddr, int yiaddr, int siaddr, int giaddr, byte[] chaddr, DhcpOptions options) {
    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    public static final int FLAG_BROADCAST = 0x8000;
    public static final int MAGIC_COOKIE = 0x63825363;
    /** op … file, the fixed BOOTP header. */
    public static final int HEADER_LENGTH = 236;
    public static final int OPTIONS_OFFSET = HEADER_LENGTH + 4;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * Parses a UDP payload. Empty when it is shorter than the header and cookie, lacks the magic cookie, or an
     * option runs past the end of the payload. A missing END option is tolerated, as most servers do.
     */
    public static Optional<DhcpMessage> parse(MemorySegment p) {
        long size = p.byteSize();
        if (size < OPTIONS_OFFSET || p.get(U32, HEADER_LENGTH) != MAGIC_COOKIE) {
            return Optional.empty();
        }
        byte[][] values = new byte[256][];
        long at = OPTIONS_OFFSET;
        while (at < size) {
            int code = p.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            if (code == DhcpOptions.END) {
                break;
            }
            if (code == DhcpOptions.PAD) {
                at++;
                continue;
            }
            if (at + 1 >= size) {
                return Optional.empty();
            }
            int len = p.get(ValueLayout.JAVA_BYTE, at + 1) & 0xFF;
            if (at + 2 + len > size) {
                return Optional.empty();
            }
            byte[] v = p.asSlice(at + 2, len).toArray(ValueLayout.JAVA_BYTE);
            byte[] old = values[code];
            if (old == null) {
                values[code] = v;
            } else {
                // Concatenation is bounded by the payload size, so a long message cannot grow memory further.
                byte[] joined = new byte[old.length + v.length];
                System.arraycopy(old, 0, joined, 0, old.length);
                System.arraycopy(v, 0, joined, old.length, v.length);
                values[code] = joined;
            }
            at += 2 + len;
        }
        byte[] chaddr = p.asSlice(28, 16).toArray(ValueLayout.JAVA_BYTE);
        return Optional.of(new DhcpMessage(
                u8(p, 0), u8(p, 1), u8(p, 2), u8(p, 3), p.get(U32, 4),
                Short.toUnsignedInt(p.get(U16, 8)), Short.toUnsignedInt(p.get(U16, 10)),
                p.get(U32, 12), p.get(U32, 16), p.get(U32, 20), p.get(U32, 24), chaddr,
                new DhcpOptions(values)));
    }

    private static int u8(MemorySegment p, long at) {
        return p.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    public boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }
}
