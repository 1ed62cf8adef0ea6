package io.gvproxy.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.stream.LongStream;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two engines joined by a lossy, reordering, duplicating channel (corruption counts as loss: a checksum would
 * drop it) under a simulated clock must deliver exactly the written bytes both ways and both close cleanly in
 * bounded simulated time. Run one case with {@code -Dtcp.seed=N} (and {@code -Dtcp.trace=true} for a segment log),
 * more cases with {@code -Dtcp.cases=N}.
 */
class TcpLossyChannelPropertyTest {
    private static final long MS = 1_000_000L;
    private static final long TIME_LIMIT = 900_000 * MS;
    private static final int STEP_LIMIT = 3_000_000;
    private static final int CASES = Integer.getInteger("tcp.cases", 1000);
    private static final boolean TRACE = Boolean.getBoolean("tcp.trace");
    /** Every case's engines count here, so a run reports how often loss was repaired only by a timeout. */
    private static final Counters TOTALS = new Counters();
    private static final TcpCounters COUNTERS = new TcpCounters(TOTALS, "tcp");

    @AfterAll
    static void reportTotals() {
        System.out.printf("lossy-channel totals: retransmit_timeouts=%d fast_retransmits=%d "
                        + "lost_retransmissions=%d loss_probes=%d retransmitted_segments=%d drop.paws=%d segments_out=%d%n",
                TOTALS.get("tcp.retransmit_timeouts"), TOTALS.get("tcp.fast_retransmits"),
                TOTALS.get("tcp.lost_retransmissions"), TOTALS.get("tcp.loss_probes"), TOTALS.get("tcp.retransmitted_segments"), TOTALS.get("tcp.drop.paws"),
                TOTALS.get("tcp.segments_out"));
    }

    static LongStream seeds() {
        String one = System.getProperty("tcp.seed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        return LongStream.range(0, CASES).map(i -> 0x9E3779B97F4A7C15L * (i + 1));
    }

    private record Delivery(long time, long order, Peer to, SentSegment seg) {
    }

    private static final class Peer {
        final String name;
        TcpConnection conn;
        byte[] toSend;
        int written;
        boolean shut;
        /** Instead of shutting down once written, wait for the peer's FIN and then close() fully. */
        boolean closeAfterEof;
        /** Largest read or write per application wake-up. */
        int chunk = 8000;
        boolean eof;
        boolean closed;
        TcpError error;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();

        Peer(String name) {
            this.name = name;
        }
    }

    private final class Sim {
        final Random rnd;
        final double loss;
        final double dup;
        final long delay;
        final long jitter;
        final PriorityQueue<Delivery> queue = new PriorityQueue<>((x, y) -> x.time != y.time
                ? Long.compare(x.time, y.time) : Long.compare(x.order, y.order));
        long order;
        long now;
        long delivered;
        long dropped;

        Sim(Random rnd, Channel kind) {
            this.rnd = rnd;
            boolean perfect = kind == Channel.PERFECT;
            loss = perfect ? 0 : rnd.nextDouble() * (kind == Channel.LOSSY ? 0.2 : 0.02);
            dup = perfect ? 0 : rnd.nextDouble() * 0.05;
            delay = (1 + rnd.nextInt(30)) * MS;
            jitter = perfect || rnd.nextInt(3) == 0 ? 0 : (long) (rnd.nextDouble() * 2 * delay);
        }

        void send(Peer to, SentSegment s) {
            if (TRACE) {
                System.out.printf("%10.3f %s-> %s%n", now / 1e6, to.name.equals("A") ? "B" : "A", s);
            }
            int copies = rnd.nextDouble() < dup ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                if (rnd.nextDouble() < loss) {
                    if (TRACE) {
                        System.out.println("           (lost)");
                    }
                    dropped++;
                    continue;
                }
                long t = now + delay + (jitter == 0 ? 0 : (long) (rnd.nextDouble() * jitter));
                queue.add(new Delivery(t, order++, to, s));
            }
        }
    }

    /** LOSSY: small random flows over up to 20 % loss; PERFECT: no loss at all; BULK: megabytes, MB windows. */
    private enum Channel { LOSSY, PERFECT, BULK }

    private static TcpConfig bulkConfig(Random rnd) {
        return TcpConfig.builder()
                .receiveBufferBytes(4 << 20)
                .sendBufferBytes(1 << 20)
                .sack(rnd.nextInt(4) != 0)
                .timestamps(rnd.nextBoolean())
                .congestion(rnd.nextBoolean() ? CongestionAlgorithm.CUBIC : CongestionAlgorithm.NEW_RENO)
                .maxRtoNanos(2_000 * MS)
                .maxRetransmits(30)
                .timeWaitNanos(120_000 * MS)
                .build();
    }

    /** Megabytes each way with multi-megabyte windows, so scaling, large SACK scoreboards and ring growth run. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("bulkSeeds")
    void bulkTransfersSurviveLoss(long seed) {
        try {
            runCase(seed, Channel.BULK);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("failing seed " + seed + ": " + e, e);
        }
    }

    static LongStream bulkSeeds() {
        return LongStream.range(0, 4).map(i -> 0x2545F4914F6CDD1DL * (i + 3));
    }

    private static TcpConfig randomConfig(Random rnd) {
        int[] rcv = {700, 2000, 8192, 65536, 300_000};
        return TcpConfig.builder()
                .mss(64 + rnd.nextInt(1400))
                .sendBufferBytes(1024 + rnd.nextInt(64 * 1024))
                .receiveBufferBytes(rcv[rnd.nextInt(rcv.length)])
                .windowScaling(rnd.nextBoolean())
                .sack(rnd.nextInt(4) != 0)
                .timestamps(rnd.nextBoolean())
                .congestion(rnd.nextBoolean() ? CongestionAlgorithm.CUBIC : CongestionAlgorithm.NEW_RENO)
                .delayedAckNanos(rnd.nextBoolean() ? 40 * MS : 0)
                .maxOutOfOrderRanges(1 + rnd.nextInt(8))
                .maxRtoNanos(2_000 * MS)
                .maxRetransmits(30)
                .maxSynRetransmits(20)
                .timeWaitNanos(120_000 * MS)
                .build();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void deliversExactStreamsAndClosesCleanly(long seed) {
        try {
            runCase(seed, Channel.LOSSY);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("failing seed " + seed + " (rerun with -Dtcp.seed=" + seed + "): " + e, e);
        }
    }

    /** Without loss, reordering or duplication nothing may ever be sent twice. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("perfectSeeds")
    void perfectChannelNeverRetransmits(long seed) {
        try {
            Peer[] peers = runCase(seed, Channel.PERFECT);
            for (Peer p : peers) {
                assertEquals(0, p.conn.retransmittedSegments(), p.name + " retransmitted");
                assertEquals(0, p.conn.retransmitTimeouts(), p.name + " timed out");
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("failing seed " + seed + ": " + e, e);
        }
    }

    static LongStream perfectSeeds() {
        return LongStream.range(0, 200).map(i -> 0x5DEECE66DL * (i + 7));
    }

    private Peer[] runCase(long seed, Channel kind) {
        Random rnd = new Random(seed);
        Sim sim = new Sim(rnd, kind);
        boolean bulk = kind == Channel.BULK;
        Peer a = new Peer("A");
        Peer b = new Peer("B");
        int size = bulk ? 2 << 20 : 20_000;
        if (bulk) {
            a.chunk = b.chunk = 64 * 1024;
        }
        a.toSend = randomBytes(rnd, !bulk && rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(size));
        b.toSend = randomBytes(rnd, !bulk && rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(size));
        a.conn = connection(sim, a, b, bulk ? bulkConfig(rnd) : randomConfig(rnd), rnd.nextInt());
        b.conn = connection(sim, b, a, bulk ? bulkConfig(rnd) : randomConfig(rnd), rnd.nextInt());
        boolean simultaneous = rnd.nextInt(10) == 0;
        if (rnd.nextInt(3) == 0) {
            (rnd.nextBoolean() ? a : b).closeAfterEof = true;
        }
        if (TRACE) {
            System.out.printf("loss=%.3f dup=%.3f delay=%d jitter=%d simultaneous=%s A=%d B=%d bytes%n", sim.loss,
                    sim.dup, sim.delay / MS, sim.jitter / MS, simultaneous, a.toSend.length, b.toSend.length);
        }
        if (simultaneous) {
            a.conn.connect(sim.now);
            b.conn.connect(sim.now);
        } else {
            b.conn.listen();
            a.conn.connect(sim.now);
        }
        long tick = 5 * MS;
        long nextTick = 0;
        int steps = 0;
        while (!(a.closed && b.closed)) {
            if (++steps > STEP_LIMIT) {
                fail("step limit; A=" + a.conn + " B=" + b.conn);
            }
            boolean appsBusy = !(done(a) && done(b));
            long t = Math.min(a.conn.nextTimerDeadline(), b.conn.nextTimerDeadline());
            if (!sim.queue.isEmpty()) {
                t = Math.min(t, sim.queue.peek().time());
            }
            if (appsBusy) {
                t = Math.min(t, nextTick);
            }
            if (t == Long.MAX_VALUE) {
                fail("stalled: nothing scheduled; A=" + a.conn + " B=" + b.conn);
            }
            if (t > TIME_LIMIT) {
                fail("time limit; A=" + a.conn + " B=" + b.conn);
            }
            sim.now = Math.max(sim.now, t);
            while (!sim.queue.isEmpty() && sim.queue.peek().time() <= sim.now) {
                Delivery d = sim.queue.poll();
                sim.delivered++;
                d.to().conn.input(d.seg().toSegment(), sim.now);
                if (TRACE) {
                    System.out.printf("%10.3f   %s got %s: %s%n", sim.now / 1e6, d.to().name, d.seg(), d.to().conn);
                }
            }
            for (Peer p : new Peer[] {a, b}) {
                if (p.conn.nextTimerDeadline() <= sim.now) {
                    p.conn.onTimer(sim.now);
                }
            }
            if (appsBusy && nextTick <= sim.now) {
                app(rnd, a, sim.now);
                app(rnd, b, sim.now);
                nextTick = sim.now + tick;
            }
        }
        // a connection may reach CLOSED before its application read everything; the bytes stay readable
        drain(a, sim.now);
        drain(b, sim.now);
        assertNull(a.error, "A error");
        assertNull(b.error, "B error");
        assertArrayEquals(a.toSend, b.got.toByteArray(), "A->B stream");
        assertArrayEquals(b.toSend, a.got.toByteArray(), "B->A stream");
        assertEquals(TcpState.CLOSED, a.conn.state());
        assertEquals(TcpState.CLOSED, b.conn.state());
        return new Peer[] {a, b};
    }

    private static void drain(Peer p, long now) {
        byte[] buf = new byte[4096];
        for (int n; (n = p.conn.read(buf, 0, buf.length, now)) > 0; ) {
            p.got.write(buf, 0, n);
        }
    }

    private static boolean done(Peer p) {
        return p.closed || (p.eof && p.shut && p.written == p.toSend.length);
    }

    private static void app(Random rnd, Peer p, long now) {
        if (p.closed) {
            return;
        }
        TcpState st = p.conn.state();
        if (st == TcpState.LISTEN) {
            return;
        }
        if (!p.eof && rnd.nextInt(4) != 0) {
            byte[] buf = new byte[1 + rnd.nextInt(p.chunk)];
            int n = p.conn.read(buf, 0, buf.length, now);
            if (n < 0) {
                p.eof = true;
            } else {
                p.got.write(buf, 0, n);
            }
        }
        if (p.closed) {
            return;
        }
        if (p.written < p.toSend.length) {
            int chunk = Math.min(p.toSend.length - p.written, 1 + rnd.nextInt(p.chunk));
            p.written += p.conn.write(p.toSend, p.written, chunk, now);
        }
        if (p.written == p.toSend.length && !p.shut && !p.closed) {
            if (!p.closeAfterEof) {
                p.shut = true;
                p.conn.shutdownOutput(now);
            } else if (p.eof) {
                p.shut = true;
                p.conn.close(now);
            }
        }
    }

    private static TcpConnection connection(Sim sim, Peer self, Peer other, TcpConfig config, int iss) {
        return new TcpConnection(config, iss, s -> sim.send(other, SentSegment.copyOf(s)), new TcpEvents() {
            @Override
            public void onError(TcpError error) {
                self.error = error;
            }

            @Override
            public void onClosed() {
                self.closed = true;
            }
        }, COUNTERS);
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
