package io.gvproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A nameserver on 127.0.0.1 (UDP and TCP on the same ephemeral port) standing in for the host's resolver: every
 * name under {@link #ZONE} has one record of each type below, except {@link #BIG_NAME}, whose TXT answer is
 * {@link #BIG_TXT_COUNT} records (too long for 512 bytes); names starting with {@code missing.} are NXDOMAIN, and
 * anything else is REFUSED. Over UDP an answer longer than 512 bytes is truncated to its question with TC set,
 * whatever EDNS size the client offers (a server may always truncate sooner), so clients must retry over TCP.
 * It only answers; it never contacts anything.
 */
public final class FakeDnsServer implements AutoCloseable {
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
    static final String BIG_NAME = "big." + ZONE;
    static final int BIG_TXT_COUNT = 40;
    static final int UDP_LIMIT = 512;
    private static final int MAX_TCP_CLIENTS = 16;

    private static final int TYPE_A = 1;
    private static final int TYPE_SOA = 6;
    private static final int TYPE_PTR = 12;
    private static final int TYPE_MX = 15;
    private static final int TYPE_TXT = 16;
    private static final int TYPE_AAAA = 28;
    private static final int TYPE_SRV = 33;

    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;
    private final Thread loop;
    private final Thread acceptor;
    private final Set<SocketChannel> tcpClients = ConcurrentHashMap.newKeySet();
    final AtomicInteger queries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();
    final AtomicInteger truncated = new AtomicInteger();

    FakeDnsServer() {
        this(null);
    }

    /**
     * UDP and TCP on {@code bind} (its port must be free for both), or on one ephemeral loopback port when null.
     */
    FakeDnsServer(InetSocketAddress bind) {
        DatagramChannel u = null;
        ServerSocketChannel t = null;
        // The TCP port must equal the UDP one; another process may hold it, so try a few ephemeral ports.
        for (int attempt = 0; attempt < (bind == null ? 10 : 1) && t == null; attempt++) {
            try {
                u = DatagramChannel.open().bind(bind != null ? bind
                        : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                t = ServerSocketChannel.open().bind(u.getLocalAddress());
            } catch (IOException e) {
                closeQuietly(u);
                u = null;
            }
        }
        if (t == null) {
            throw new IllegalStateException(bind == null ? "no loopback port free for both UDP and TCP"
                    : "cannot bind UDP and TCP on " + bind);
        }
        udp = u;
        tcp = t;
        loop = Thread.ofPlatform().daemon().name("fake-dns").start(this::serve);
        acceptor = Thread.ofPlatform().daemon().name("fake-dns-tcp").start(this::acceptTcp);
    }

    /**
     * {@code FakeDnsServer ADDRESS PORT}: the same server as a process, for a namespace guest (UdpForwardDnsIT).
     * Prints {@code LISTENING}, then serves until killed, printing the query counts ({@code queries=N tcp=N
     * truncated=N}) whenever they change (polled every 100 ms).
     */
    public static void main(String[] args) throws InterruptedException {
        FakeDnsServer server = new FakeDnsServer(new InetSocketAddress(InetAddress.ofLiteral(args[0]),
                Integer.parseInt(args[1])));
        System.out.println("LISTENING");
        System.out.flush();
        String last = "";
        while (true) {
            Thread.sleep(100);
            String now = "queries=" + server.queries + " tcp=" + server.tcpQueries + " truncated=" + server.truncated;
            if (!now.equals(last)) {
                System.out.println(now);
                System.out.flush();
                last = now;
            }
        }
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

    /** The host socket address, for a {@code NetworkConfig}'s nameservers. */
    InetSocketAddress socketAddress() {
        try {
            return (InetSocketAddress) udp.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return socketAddress().getPort();
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
                    if (response.length > UDP_LIMIT) {
                        response = truncate(response);
                        truncated.incrementAndGet();
                    }
                    udp.send(ByteBuffer.wrap(response), from);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // A bad query gets no answer; the test sees a timeout in the guest.
            }
        }
    }

    private void acceptTcp() {
        while (tcp.isOpen()) {
            try {
                SocketChannel client = tcp.accept();
                if (tcpClients.size() >= MAX_TCP_CLIENTS) {
                    client.close();
                    continue;
                }
                tcpClients.add(client);
                Thread.ofVirtual().name("fake-dns-tcp-client").start(() -> serveTcp(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** RFC 1035 4.2.2 framing: each message after its 16-bit length; several queries per connection. */
    private void serveTcp(SocketChannel client) {
        try (client) {
            client.socket().setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(client.socket().getInputStream());
            OutputStream out = client.socket().getOutputStream();
            while (true) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException e) {
                    return;
                }
                byte[] query = in.readNBytes(length);
                if (query.length != length) {
                    return;
                }
                queries.incrementAndGet();
                tcpQueries.incrementAndGet();
                byte[] response = respond(query);
                if (response == null) {
                    return;
                }
                ByteArrayOutputStream framed = new ByteArrayOutputStream(response.length + 2);
                u16(framed, response.length);
                framed.writeBytes(response);
                out.write(framed.toByteArray());
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or sent garbage: drop the connection.
        } finally {
            tcpClients.remove(client);
        }
    }

    /** Header with TC set and no records, question kept. */
    private static byte[] truncate(byte[] response) {
        int at = 12;
        while (response[at] != 0) {
            at += 1 + (response[at] & 0xFF);
        }
        byte[] cut = Arrays.copyOf(response, at + 5);
        cut[2] |= 0x02;
        for (int i = 6; i < 12; i++) {
            cut[i] = 0;
        }
        return cut;
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
        List<byte[]> records = held && !missing ? records(type, qname) : List.of();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query, 0, 2);
        int rd = query[2] & 0x01;
        out.write(0x84 | rd); // QR, AA
        out.write(0x80 | rcode); // RA
        u16(out, 1);
        u16(out, records.size());
        u16(out, 0);
        u16(out, 0);
        out.write(query, 12, qEnd - 12);
        for (byte[] rdata : records) {
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

    private static List<byte[]> records(int type, String qname) {
        if (qname.equals(BIG_NAME)) {
            if (type != TYPE_TXT) {
                return List.of();
            }
            List<byte[]> texts = new ArrayList<>();
            for (int i = 0; i < BIG_TXT_COUNT; i++) {
                byte[] t = String.format(Locale.ROOT, "gvproxy-big-%02d-%s", i, "x".repeat(40))
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] rdata = new byte[t.length + 1];
                rdata[0] = (byte) t.length;
                System.arraycopy(t, 0, rdata, 1, t.length);
                texts.add(rdata);
            }
            return texts;
        }
        byte[] rdata = rdata(type, qname);
        return rdata == null ? List.of() : List.of(rdata);
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
        closeQuietly(udp);
        closeQuietly(tcp);
        for (SocketChannel c : tcpClients) {
            closeQuietly(c);
        }
        try {
            loop.join(5_000);
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a socket the test owns; nothing else to do with it.
        }
    }
}
