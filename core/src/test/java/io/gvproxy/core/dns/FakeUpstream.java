package io.gvproxy.core.dns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A nameserver on 127.0.0.1 (UDP and TCP on the same ephemeral port) with fixed answers, for forwarding tests.
 * Never contacts anything. Modes: answer, stay silent, answer UDP truncated (TCP in full), or SERVFAIL.
 */
final class FakeUpstream implements AutoCloseable {
    /** TRUNCATE_ONLY answers UDP truncated and drops TCP connections; WRONG_ID_FIRST sends a stray answer with
     *  another ID before the real one. */
    enum Mode { ANSWER, SILENT, TRUNCATE_UDP, SERVFAIL, TRUNCATE_ONLY, WRONG_ID_FIRST }

    private final Mode mode;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;
    final AtomicInteger udpQueries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();
    private final Thread udpLoop;
    private final Thread tcpLoop;

    FakeUpstream(Mode mode) throws IOException {
        this.mode = mode;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        // The forwarder uses one address for UDP and TCP, so both must share a port; retry until they do.
        DatagramChannel boundUdp;
        ServerSocketChannel boundTcp;
        for (int attempt = 0; ; attempt++) {
            ServerSocketChannel t = ServerSocketChannel.open().bind(new InetSocketAddress(loopback, 0));
            int port = ((InetSocketAddress) t.getLocalAddress()).getPort();
            DatagramChannel u = DatagramChannel.open();
            try {
                u.bind(new InetSocketAddress(loopback, port));
                boundTcp = t;
                boundUdp = u;
                break;
            } catch (IOException e) {
                u.close();
                t.close();
                if (attempt == 20) {
                    throw e;
                }
            }
        }
        tcp = boundTcp;
        udp = boundUdp;
        udpLoop = Thread.ofVirtual().start(this::serveUdp);
        tcpLoop = Thread.ofVirtual().start(this::serveTcp);
    }

    InetSocketAddress udpAddress() throws IOException {
        return (InetSocketAddress) udp.getLocalAddress();
    }

    InetSocketAddress tcpAddress() throws IOException {
        return (InetSocketAddress) tcp.getLocalAddress();
    }

    private void serveUdp() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        while (udp.isOpen()) {
            try {
                buf.clear();
                SocketAddress from = udp.receive(buf);
                byte[] q = new byte[buf.flip().remaining()];
                buf.get(q);
                udpQueries.incrementAndGet();
                if (mode == Mode.SILENT) {
                    continue;
                }
                if (mode == Mode.WRONG_ID_FIRST) {
                    byte[] stray = response(q, Mode.SERVFAIL);
                    DnsWire.put16(stray, 0, DnsWire.u16(q, 0) ^ 0x5555);
                    udp.send(ByteBuffer.wrap(stray), from);
                }
                byte[] r = mode == Mode.TRUNCATE_UDP || mode == Mode.TRUNCATE_ONLY ? truncatedResponse(q)
                        : response(q, mode == Mode.WRONG_ID_FIRST ? Mode.ANSWER : mode);
                udp.send(ByteBuffer.wrap(r), from);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // Keep serving; the test fails by its assertions if this matters.
            }
        }
    }

    private void serveTcp() {
        while (tcp.isOpen()) {
            try {
                SocketChannel c = tcp.accept();
                Thread.ofVirtual().start(() -> {
                    try (c) {
                        Socket s = c.socket();
                        s.setSoTimeout(5_000);
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        byte[] len = in.readNBytes(2);
                        byte[] q = in.readNBytes(DnsWire.u16(len, 0));
                        tcpQueries.incrementAndGet();
                        if (mode == Mode.TRUNCATE_ONLY) {
                            return;
                        }
                        if (mode == Mode.SILENT) {
                            in.readNBytes(1);
                            return;
                        }
                        byte[] r = response(q, mode == Mode.TRUNCATE_UDP ? Mode.ANSWER : mode);
                        byte[] framed = new byte[r.length + 2];
                        DnsWire.put16(framed, 0, r.length);
                        System.arraycopy(r, 0, framed, 2, r.length);
                        out.write(framed);
                    } catch (IOException e) {
                        // The client went away.
                    }
                });
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // Keep accepting.
            }
        }
    }

    /** The answer this server gives to {@code query}: fixed records for the question's name and type. */
    static byte[] response(byte[] query, Mode mode) {
        int qEnd = questionEnd(query);
        String name;
        int type;
        try {
            name = DnsName.read(query, 12).name();
            type = DnsWire.u16(query, qEnd - 4);
        } catch (MalformedDnsException e) {
            throw new AssertionError(e);
        }
        ByteArrayOutputStream rr = new ByteArrayOutputStream();
        int count = 0;
        if (mode == Mode.ANSWER) {
            if (name.startsWith("big.")) {
                for (int i = 0; i < 60; i++) {
                    record(rr, DnsWire.TYPE_TXT, txt(("record " + i + " ").repeat(8)));
                    count++;
                }
            } else {
                byte[] rdata = switch (type) {
                    case DnsWire.TYPE_A -> new byte[] {(byte) 198, 51, 100, 7};
                    case DnsWire.TYPE_AAAA -> new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                            0, 1};
                    case DnsWire.TYPE_MX -> concat(new byte[] {0, 10}, DnsName.encode("mail.example."));
                    case DnsWire.TYPE_TXT -> txt("v=spf1 -all");
                    case DnsWire.TYPE_SRV -> concat(new byte[] {0, 1, 0, 5, 0x13, (byte) 0xc4},
                            DnsName.encode("sip.example."));
                    case DnsWire.TYPE_PTR -> DnsName.encode("host.example.");
                    case DnsWire.TYPE_CNAME -> DnsName.encode("target.example.");
                    case DnsWire.TYPE_SOA -> concat(concat(DnsName.encode("ns1.example."),
                            DnsName.encode("hostmaster.example.")),
                            new byte[] {0, 0, 0, 1, 0, 0, 14, 16, 0, 0, 7, 8, 0, 9, 58, (byte) 128, 0, 0, 1, 44});
                    default -> null;
                };
                if (rdata != null) {
                    record(rr, type, rdata);
                    count++;
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query, 0, 2);
        int rcode = mode == Mode.SERVFAIL ? DnsWire.RCODE_SERVFAIL : 0;
        DnsQueryBuilder.u16(out, DnsWire.FLAG_QR | DnsWire.FLAG_RD | DnsWire.FLAG_RA | rcode);
        DnsQueryBuilder.u16(out, 1);
        DnsQueryBuilder.u16(out, count);
        DnsQueryBuilder.u16(out, 0);
        DnsQueryBuilder.u16(out, 0);
        out.write(query, 12, qEnd - 12);
        out.writeBytes(rr.toByteArray());
        return out.toByteArray();
    }

    static byte[] truncatedResponse(byte[] query) {
        byte[] r = response(query, Mode.SERVFAIL);
        DnsWire.put16(r, 2, DnsWire.FLAG_QR | DnsWire.FLAG_RD | DnsWire.FLAG_RA | DnsWire.FLAG_TC);
        return r;
    }

    private static int questionEnd(byte[] q) {
        try {
            return DnsName.read(q, 12).end() + 4;
        } catch (MalformedDnsException e) {
            throw new AssertionError(e);
        }
    }

    private static void record(ByteArrayOutputStream out, int type, byte[] rdata) {
        DnsQueryBuilder.u16(out, 0xC00C);
        DnsQueryBuilder.u16(out, type);
        DnsQueryBuilder.u16(out, DnsWire.CLASS_IN);
        DnsQueryBuilder.u16(out, 0);
        DnsQueryBuilder.u16(out, 300);
        DnsQueryBuilder.u16(out, rdata.length);
        out.writeBytes(rdata);
    }

    private static byte[] txt(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return concat(new byte[] {(byte) b.length}, b);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
        try {
            udpLoop.join(5_000);
            tcpLoop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
