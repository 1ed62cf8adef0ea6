package io.gvproxy.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives one {@link TcpConnection} segment by segment against a scripted peer, with a fake clock, and checks
 * what comes out (in the spirit of gVisor's tcp/testing/context). Sequence numbers start close to 2^32 on our
 * side so every scenario also crosses the wrap.
 */
final class TcpTestContext {
    static final int OUR_ISS = 0xFFFF_FF00;
    static final int PEER_ISS = 0x7FFF_FFF0;
    static final long MS = 1_000_000L;

    final TcpConnection conn;
    final ArrayDeque<SentSegment> out = new ArrayDeque<>();
    final List<String> events = new ArrayList<>();
    TcpError error;
    long now = 1_000 * MS;
    /** The peer's timestamp clock, in its own ticks. */
    int peerTs = 77;

    final io.gvproxy.core.stats.Counters counters = new io.gvproxy.core.stats.Counters();

    TcpTestContext(TcpConfig config) {
        conn = new TcpConnection(config, OUR_ISS, s -> out.add(SentSegment.copyOf(s)), new TcpEvents() {
            @Override
            public void onConnected() {
                events.add("connected");
            }

            @Override
            public void onReadable() {
                events.add("readable");
            }

            @Override
            public void onWritable() {
                events.add("writable");
            }

            @Override
            public void onPeerFin() {
                events.add("peerFin");
            }

            @Override
            public void onError(TcpError e) {
                error = e;
                events.add("error:" + e);
            }

            @Override
            public void onClosed() {
                events.add("closed");
            }
        }, new TcpCounters(counters, "tcp"));
    }

    long counter(String name) {
        return counters.get("tcp." + name);
    }

    static TcpConfig.Builder config() {
        return TcpConfig.builder();
    }

    /** Our sequence number of data offset k (k = -1 is the SYN). */
    static int ours(long k) {
        return (int) (OUR_ISS + 1 + k);
    }

    static int peers(long k) {
        return (int) (PEER_ISS + 1 + k);
    }

    /** A segment from the peer at data offset {@code k} acknowledging our data offset {@code ackK}. */
    TcpSegment peer(long k, long ackK, int flags) {
        return new TcpSegment().seq(peers(k)).ack(ours(ackK)).flags(flags | TcpFlags.ACK).window(0xFFFF);
    }

    static TcpSegment withData(TcpSegment s, byte[] data) {
        return s.payload(MemorySegment.ofArray(data));
    }

    void send(TcpSegment s) {
        conn.input(s, now);
    }

    SentSegment next() {
        SentSegment s = out.poll();
        assertNotNull(s, "expected a segment, got none (state " + conn.state() + ")");
        return s;
    }

    void expectNothing() {
        assertTrue(out.isEmpty(), "expected no segment, got " + out);
    }

    /** The next segment must be a pure ACK acknowledging peer data offset {@code k}. */
    SentSegment expectAck(long k) {
        SentSegment s = next();
        assertTrue(s.has(TcpFlags.ACK) && !s.has(TcpFlags.SYN) && !s.has(TcpFlags.RST) && s.len() == 0,
                "expected pure ACK, got " + s);
        assertEquals(peers(k), s.ack(), "ack of " + s);
        return s;
    }

    /** Moves the clock forward, firing every timer on the way at its own deadline. */
    void advance(long nanos) {
        long target = now + nanos;
        for (int guard = 0; guard < 100_000; guard++) {
            long d = conn.nextTimerDeadline();
            if (d > target) {
                break;
            }
            now = Math.max(now, d);
            conn.onTimer(now);
        }
        now = target;
    }

    /** Jumps to the next timer deadline and fires it; returns the elapsed time. */
    long fireNextTimer() {
        long d = conn.nextTimerDeadline();
        assertTrue(d != Long.MAX_VALUE, "no timer armed");
        long elapsed = d - now;
        now = d;
        conn.onTimer(now);
        return elapsed;
    }

    /** A SYN as a modern peer sends it: MSS 1460, WS 7, SACK-permitted, timestamps. */
    TcpSegment fullSyn() {
        return new TcpSegment().seq(PEER_ISS).flags(TcpFlags.SYN).window(0xFFFF).mss(1460).windowScale(7)
                .sackPermitted(true).timestamps(peerTs, 0);
    }

    /** LISTEN, receive {@code syn}, answer the SYN-ACK with {@code ACK}: ends ESTABLISHED. */
    SentSegment establishPassive(TcpSegment syn) {
        conn.listen();
        send(syn);
        SentSegment synAck = next();
        assertEquals(TcpFlags.SYN | TcpFlags.ACK, synAck.flags());
        assertEquals(OUR_ISS, synAck.seq());
        assertEquals(peers(0), synAck.ack());
        TcpSegment ack = peer(0, 0, 0);
        if (syn.windowScale() >= 0) {
            ack.window(0xFFFF);
        }
        stamp(ack, synAck);
        send(ack);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        expectNothing();
        events.clear();
        return synAck;
    }

    /** Plain connection without options, where byte counts are easiest to follow. */
    static TcpSegment bareSyn() {
        return new TcpSegment().seq(PEER_ISS).flags(TcpFlags.SYN).window(0xFFFF).mss(1000);
    }

    /** Adds the peer's timestamp echoing {@code last} when timestamps were negotiated. */
    TcpSegment stamp(TcpSegment s, SentSegment last) {
        if (conn.timestampsNegotiated()) {
            s.timestamps(++peerTs, last == null ? 0 : last.tsVal());
        }
        return s;
    }

    void write(byte[] data) {
        int n = conn.write(data, 0, data.length, now);
        assertEquals(data.length, n, "write accepted");
    }

    byte[] readAll() {
        byte[] b = new byte[Math.max(conn.readable(), 0)];
        int n = conn.read(b, 0, b.length, now);
        assertEquals(b.length, Math.max(n, 0));
        return b;
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    List<SentSegment> drain() {
        List<SentSegment> l = new ArrayList<>(out);
        out.clear();
        return l;
    }

    void assertClosedWith(TcpError e) {
        assertEquals(TcpState.CLOSED, conn.state());
        assertEquals(e, error);
        assertTrue(events.contains("closed"), events.toString());
        assertFalse(events.indexOf("closed") < events.size() - 1, "closed is the last event: " + events);
    }
}
