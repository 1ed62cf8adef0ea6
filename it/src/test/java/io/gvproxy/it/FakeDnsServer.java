package io.gvproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A nameserver on 127.0.0.1 (UDP, ephemeral port) standing in for the host's resolver: every name under
 * {@link #ZONE} has one record of each type below, names starting with {@code missing.} are NXDOMAIN, and
 * anything else is REFUSED. It only answers; it never contacts anything.
 */
final class FakeDnsServer implements AutoCloseable {
    static final String ZONE = "fwd.gvproxy.test";
    static final String A = "198.51.100.7";
    static final String AAAA = "2001:db8::7";
    static final String MX_HOST = "mail.gvproxy.test";
    static final int MX_PREFERENCE = 10;
    static final String TXT = "gvproxy-forwarded-ok";
    static final String SRV_TARGET = "sip.gvproxy.test";
    static final int SRV_PRIORITY = 1;
    static final int SRV_WEIGHT = 5;
    static final int SRV_PORT = 5060;
    static final String PTR_NAME = "7.100.51.198.in-addr.arpa";
    static final String PTR_TARGET = "fwd.gvproxy.test";
    static final String SOA_MNAME = "ns1.gvproxy.test";
    static final String SOA_RNAME = "hostmaster.gvproxy.test";
    static final long SOA_SERIAL = 2026112801L;
    static final int TTL = 300;

    private static final int TYPE_A = 1;
    private static final int TYPE_SOA = 6;
    private static final int TYPE_PTR = 12;
    private static final int TYPE_MX = 15;
    private static final int TYPE_TXT = 16;
    private static final int TYPE_AAAA = 28;
    private static final int TYPE_SRV = 33;

    private final DatagramChannel udp;
    private final Thread loop;
    final AtomicInteger queries = new AtomicInteger();

    FakeDnsServer() {
        try {
            udp = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loop = Thread.ofPlatform().daemon().name("fake-dns").start(this::serve);
    }

    /** For gvproxy's {@code -dns-server}. */
    String address() {
        try {
            InetSocketAddress a = (InetSocketAddress) udp.getLocalAddress();
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        while (udp.isOpen()) {
            try {
                buf.clear();
                SocketAddress from = udp.receive(buf);
                byte[] query = Arrays.copyOf(buf.array(), buf.position());
                queries.incrementAndGet();
                byte[] response = respond(query);
                if (response != null) {
                    udp.send(ByteBuffer.wrap(response), from);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // A bad query gets no answer; the test sees a timeout in the guest.
            }
        }
    }

    /** The response to one query: question echoed, records of the asked type for names this server holds. */
    static byte[] respond(byte[] query) {
        if (query.length < 12) {
            return null;
        }
        int at = 12;
        StringBuilder name = new StringBuilder();
        while (query[at] != 0) {
            int len = query[at] & 0xFF;
            if (len > 63) {
                return null;
            }
            name.append(name.isEmpty() ? "" : ".")
                    .append(new String(query, at + 1, len, StandardCharsets.US_ASCII));
            at += 1 + len;
        }
        int qEnd = at + 5;
        int type = ((query[at + 1] & 0xFF) << 8) | (query[at + 2] & 0xFF);
        String qname = name.toString().toLowerCase(Locale.ROOT);
        boolean held = qname.equals(ZONE) || qname.endsWith("." + ZONE) || qname.equals(PTR_NAME);
        boolean missing = qname.startsWith("missing.");
        int rcode = missing ? 3 : held ? 0 : 5;
        byte[] rdata = held && !missing ? rdata(type, qname) : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query, 0, 2);
        int rd = query[2] & 0x01;
        out.write(0x84 | rd); // QR, AA
        out.write(0x80 | rcode); // RA
        u16(out, 1);
        u16(out, rdata == null ? 0 : 1);
        u16(out, 0);
        u16(out, 0);
        out.write(query, 12, qEnd - 12);
        if (rdata != null) {
            u16(out, 0xC00C);
            u16(out, type);
            u16(out, 1);
            u16(out, TTL >>> 16);
            u16(out, TTL & 0xFFFF);
            u16(out, rdata.length);
            out.writeBytes(rdata);
        }
        return out.toByteArray();
    }

    private static byte[] rdata(int type, String qname) {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        switch (type) {
            case TYPE_A -> {
                if (qname.equals(PTR_NAME)) {
                    return null;
                }
                r.writeBytes(InetAddress.ofLiteral(A).getAddress());
            }
            case TYPE_AAAA -> r.writeBytes(InetAddress.ofLiteral(AAAA).getAddress());
            case TYPE_MX -> {
                u16(r, MX_PREFERENCE);
                name(r, MX_HOST);
            }
            case TYPE_TXT -> {
                byte[] t = TXT.getBytes(StandardCharsets.US_ASCII);
                r.write(t.length);
                r.writeBytes(t);
            }
            case TYPE_SRV -> {
                u16(r, SRV_PRIORITY);
                u16(r, SRV_WEIGHT);
                u16(r, SRV_PORT);
                name(r, SRV_TARGET);
            }
            case TYPE_PTR -> name(r, PTR_TARGET);
            case TYPE_SOA -> {
                name(r, SOA_MNAME);
                name(r, SOA_RNAME);
                for (long v : new long[] {SOA_SERIAL, 3600, 600, 86400, 60}) {
                    u16(r, (int) (v >>> 16));
                    u16(r, (int) (v & 0xFFFF));
                }
            }
            default -> {
                return null;
            }
        }
        return r.toByteArray();
    }

    private static void name(ByteArrayOutputStream out, String name) {
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            out.write(l.length);
            out.writeBytes(l);
        }
        out.write(0);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    @Override
    public void close() {
        try {
            udp.close();
            loop.join(5_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
