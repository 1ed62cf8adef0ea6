package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Sends a raw query to the upstream nameservers in order and returns the first usable answer, byte for byte,
 * with the client's ID put back. Blocking: meant for virtual threads. Each nameserver gets {@code timeout}
 * over UDP and, when the answer is truncated, another {@code timeout} over TCP. SERVFAIL, REFUSED and
 * truncated answers whose TCP retry failed are kept as a last resort while later nameservers are tried.
 */
public final class DnsForwarder {
    private final List<InetSocketAddress> nameservers;
    private final int timeoutMillis;
    private final SecureRandom random = new SecureRandom();
    private final Counter udpTimeouts;
    private final Counter udpErrors;
    private final Counter tcpRetries;
    private final Counter tcpFailures;
    private final Counter mismatched;

    public DnsForwarder(List<InetSocketAddress> nameservers, Duration timeout, Counters counters) {
        this.nameservers = List.copyOf(nameservers);
        this.timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        this.udpTimeouts = counters.counter("dns.upstream.udp_timeouts");
        this.udpErrors = counters.counter("dns.upstream.udp_errors");
        this.tcpRetries = counters.counter("dns.upstream.tcp_retries");
        this.tcpFailures = counters.counter("dns.upstream.tcp_failures");
        this.mismatched = counters.counter("dns.upstream.mismatched_responses");
    }

    public List<InetSocketAddress> nameservers() {
        return nameservers;
    }

    /** The upstream answer to {@code query} (at least a header long) with its ID, or empty when all failed. */
    public Optional<byte[]> exchange(byte[] query) {
        int clientId = DnsWire.u16(query, 0);
        byte[] fallback = null;
        for (InetSocketAddress ns : nameservers) {
            byte[] q = query.clone();
            int id = random.nextInt(65536);
            DnsWire.put16(q, 0, id);
            byte[] answer = udp(ns, q, id);
            if (answer != null && (DnsWire.u16(answer, 2) & DnsWire.FLAG_TC) != 0) {
                tcpRetries.increment();
                byte[] full = tcp(ns, q, id);
                if (full == null) {
                    tcpFailures.increment();
                    fallback = answer;
                    continue;
                }
                answer = full;
            }
            if (answer == null) {
                continue;
            }
            int rcode = DnsWire.u16(answer, 2) & DnsWire.RCODE_MASK;
            if (rcode == DnsWire.RCODE_SERVFAIL || rcode == DnsWire.RCODE_REFUSED) {
                if (fallback == null) {
                    fallback = answer;
                }
                continue;
            }
            DnsWire.put16(answer, 0, clientId);
            return Optional.of(answer);
        }
        if (fallback != null) {
            DnsWire.put16(fallback, 0, clientId);
        }
        return Optional.ofNullable(fallback);
    }

    private byte[] udp(InetSocketAddress ns, byte[] q, int id) {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(ns);
            ch.write(ByteBuffer.wrap(q));
            DatagramSocket socket = ch.socket();
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buf = new byte[DnsWire.MAX_MESSAGE];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    udpTimeouts.increment();
                    return null;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                if (matches(buf, p.getLength(), id)) {
                    return Arrays.copyOf(buf, p.getLength());
                }
                mismatched.increment();
            }
        } catch (SocketTimeoutException e) {
            udpTimeouts.increment();
            return null;
        } catch (IOException e) {
            udpErrors.increment();
            return null;
        }
    }

    private byte[] tcp(InetSocketAddress ns, byte[] q, int id) {
        try (SocketChannel ch = SocketChannel.open()) {
            ch.socket().connect(ns, timeoutMillis);
            ch.socket().setSoTimeout(timeoutMillis);
            OutputStream out = ch.socket().getOutputStream();
            byte[] framed = new byte[q.length + 2];
            DnsWire.put16(framed, 0, q.length);
            System.arraycopy(q, 0, framed, 2, q.length);
            out.write(framed);
            out.flush();
            InputStream in = ch.socket().getInputStream();
            byte[] len = in.readNBytes(2);
            if (len.length < 2) {
                return null;
            }
            byte[] answer = in.readNBytes(DnsWire.u16(len, 0));
            if (!matches(answer, answer.length, id) || answer.length != DnsWire.u16(len, 0)) {
                mismatched.increment();
                return null;
            }
            return answer;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean matches(byte[] b, int length, int id) {
        return length >= DnsWire.HEADER_LENGTH && DnsWire.u16(b, 0) == id
                && (DnsWire.u16(b, 2) & DnsWire.FLAG_QR) != 0;
    }
}
