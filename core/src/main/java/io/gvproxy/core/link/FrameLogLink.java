package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * A {@link Link} that logs a one-line summary of every frame it receives and sends, then passes it on: what
 * upstream's {@code -debug} does with gopacket dumps, in tcpdump's shape:
 * {@code qemu rx 74 5a:94:ef:e4:0c:ee > 5a:94:ef:e4:0c:dd IPv4 192.168.127.2:43512 > 192.168.127.1:80 TCP [S.] len 0}.
 *
 * <p>Install it only when debugging: it is the one cost, so a network without it pays nothing per frame. The
 * summary reads only headers, with every read bounds-checked against the frame; a truncated or odd frame
 * gives a shorter line, never an exception. Each direction formats into its own reused builder, so that the
 * receiving and the sending thread never share one; a line is at most about 160 characters.
 */
public final class FrameLogLink implements Link {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Link inner;
    private final Consumer<String> log;
    private final StringBuilder rx = new StringBuilder(192);
    private final StringBuilder tx = new StringBuilder(192);

    public FrameLogLink(Link inner, Consumer<String> log) {
        this.inner = inner;
        this.log = log;
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        if (!inner.receive(into)) {
            return false;
        }
        log.accept(summarize(rx, inner.name(), "rx", into.data()));
        return true;
    }

    @Override
    public void send(MemorySegment frame) throws IOException {
        synchronized (tx) {
            log.accept(summarize(tx, inner.name(), "tx", frame));
        }
        inner.send(frame);
    }

    @Override
    public void send(Frame[] frames, int count) throws IOException {
        synchronized (tx) {
            for (int i = 0; i < count; i++) {
                log.accept(summarize(tx, inner.name(), "tx", frames[i].data()));
            }
        }
        inner.send(frames, count);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    /** The summary line of one frame, formatted in {@code b} (cleared first). */
    public static String summarize(StringBuilder b, String link, String direction, MemorySegment f) {
        b.setLength(0);
        long n = f.byteSize();
        b.append(link).append(' ').append(direction).append(' ').append(n);
        if (n < 14) {
            return b.append(" (shorter than an Ethernet header)").toString();
        }
        b.append(' ');
        mac(b, f, 6);
        b.append(" > ");
        mac(b, f, 0);
        int type = u16(f, 12);
        switch (type) {
            case 0x0800 -> ipv4(b, f, 14);
            case 0x0806 -> arp(b, f, 14);
            case 0x86DD -> b.append(" IPv6");
            default -> {
                b.append(" type 0x");
                hex(b, type >>> 8);
                hex(b, type & 0xFF);
            }
        }
        return b.toString();
    }

    private static void ipv4(StringBuilder b, MemorySegment f, long at) {
        b.append(" IPv4");
        long n = f.byteSize();
        if (n < at + 20 || (f.get(ValueLayout.JAVA_BYTE, at) & 0xF0) != 0x40) {
            b.append(" (truncated or not version 4)");
            return;
        }
        int ihl = (f.get(ValueLayout.JAVA_BYTE, at) & 0x0F) * 4;
        int total = u16(f, at + 2);
        int fragment = u16(f, at + 6);
        int proto = f.get(ValueLayout.JAVA_BYTE, at + 9) & 0xFF;
        int src = f.get(U32, at + 12);
        int dst = f.get(U32, at + 16);
        long l4 = at + ihl;
        boolean ports = (proto == 6 || proto == 17) && (fragment & 0x1FFF) == 0 && ihl >= 20 && n >= l4 + 4;
        b.append(' ');
        ip(b, src);
        if (ports) {
            b.append(':').append(u16(f, l4));
        }
        b.append(" > ");
        ip(b, dst);
        if (ports) {
            b.append(':').append(u16(f, l4 + 2));
        }
        int payload = Math.max(0, total - ihl);
        switch (proto) {
            case 6 -> {
                b.append(" TCP");
                if (ports && n >= l4 + 14) {
                    int dataOffset = ((f.get(ValueLayout.JAVA_BYTE, l4 + 12) & 0xF0) >>> 2);
                    tcpFlags(b, f.get(ValueLayout.JAVA_BYTE, l4 + 13) & 0xFF);
                    payload = Math.max(0, payload - dataOffset);
                }
            }
            case 17 -> {
                b.append(" UDP");
                payload = Math.max(0, payload - 8);
            }
            case 1 -> {
                b.append(" ICMP");
                if (n >= l4 + 2 && (fragment & 0x1FFF) == 0) {
                    b.append(" type ").append(f.get(ValueLayout.JAVA_BYTE, l4) & 0xFF)
                            .append(" code ").append(f.get(ValueLayout.JAVA_BYTE, l4 + 1) & 0xFF);
                }
            }
            default -> b.append(" proto ").append(proto);
        }
        if ((fragment & 0x3FFF) != 0) {
            b.append(" frag");
        }
        b.append(" len ").append(payload);
    }

    /** tcpdump's flag letters: S F R P U E W, and '.' for ACK. */
    private static void tcpFlags(StringBuilder b, int flags) {
        b.append(" [");
        if ((flags & 0x02) != 0) {
            b.append('S');
        }
        if ((flags & 0x01) != 0) {
            b.append('F');
        }
        if ((flags & 0x04) != 0) {
            b.append('R');
        }
        if ((flags & 0x08) != 0) {
            b.append('P');
        }
        if ((flags & 0x20) != 0) {
            b.append('U');
        }
        if ((flags & 0x40) != 0) {
            b.append('E');
        }
        if ((flags & 0x80) != 0) {
            b.append('W');
        }
        if ((flags & 0x10) != 0) {
            b.append('.');
        }
        b.append(']');
    }

    private static void arp(StringBuilder b, MemorySegment f, long at) {
        b.append(" ARP");
        if (f.byteSize() < at + 28) {
            b.append(" (truncated)");
            return;
        }
        int op = u16(f, at + 6);
        b.append(op == 1 ? " request " : op == 2 ? " reply " : " op " + op + " ");
        ip(b, f.get(U32, at + 14));
        b.append(" > ");
        ip(b, f.get(U32, at + 24));
    }

    private static int u16(MemorySegment f, long at) {
        return Short.toUnsignedInt(f.get(U16, at));
    }

    private static void mac(StringBuilder b, MemorySegment f, long at) {
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                b.append(':');
            }
            hex(b, f.get(ValueLayout.JAVA_BYTE, at + i) & 0xFF);
        }
    }

    private static void hex(StringBuilder b, int v) {
        b.append(HEX[v >>> 4]).append(HEX[v & 0xF]);
    }

    private static void ip(StringBuilder b, int a) {
        b.append(a >>> 24).append('.').append((a >>> 16) & 0xFF).append('.').append((a >>> 8) & 0xFF).append('.')
                .append(a & 0xFF);
    }
}
