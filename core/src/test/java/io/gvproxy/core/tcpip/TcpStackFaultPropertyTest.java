package io.gvproxy.core.tcpip;

import io.gvproxy.core.link.FaultInjectingLink;
import io.gvproxy.core.tcp.TcpConfig;
import io.gvproxy.core.tcp.TcpState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two stacks joined through links that drop (up to 20 %), reorder, duplicate and corrupt frames always deliver
 * exactly the bytes written, in both directions at once, and both ends close without error. Real threads and
 * clocks, with timers shortened so that a case takes milliseconds; the seed of a failing case is in its name
 * and message. {@code -Dtcpip.property.cases=N} changes the number of cases (1000 by default).
 */
class TcpStackFaultPropertyTest {
    private static final int CASES = Integer.getInteger("tcpip.property.cases", 1000);
    private static final long TIMEOUT_SECONDS = 60;
    private static final TcpStackConfig CONFIG = TcpStackConfig.forMtu(1500).withTcp(TcpConfig.builder()
            .mss(1460)
            .sendBufferBytes(64 << 10)
            .receiveBufferBytes(64 << 10)
            .initialRtoNanos(30_000_000L)
            .minRtoNanos(10_000_000L)
            .maxRtoNanos(200_000_000L)
            .delayedAckNanos(2_000_000L)
            .timeWaitNanos(1_000_000_000L)
            .maxRetransmits(60)
            .maxSynRetransmits(60)
            .build());

    static LongStream seeds() {
        Long one = Long.getLong("tcpip.property.seed");
        return one != null ? LongStream.of(one) : LongStream.range(0, CASES).map(i -> 0x7C9_0000L + i);
    }

    private static byte[] randomBytes(Random r) {
        int n = switch (r.nextInt(4)) {
            case 0 -> r.nextInt(100);
            case 1 -> r.nextInt(4_000);
            default -> r.nextInt(48_000);
        };
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Writes all of {@code out}, half-closes, then reads to end of stream and closes. */
    private static byte[] exchange(TcpStream s, byte[] out) throws IOException {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                int off = 0;
                while (off < out.length) {
                    int n = Math.min(out.length - off, 1 + off % 9000);
                    s.outputStream().write(out, off, n);
                    off += n;
                }
                s.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        byte[] buf = new byte[7000];
        int n;
        while ((n = s.inputStream().read(buf, 0, buf.length)) >= 0) {
            in.write(buf, 0, n);
        }
        writer.join();
        s.close();
        return in.toByteArray();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void bytesArriveExactlyBothWaysAndBothEndsCloseCleanly(long seed) throws Exception {
        // adjacent seeds give correlated first draws from java.util.Random: spread them
        Random r = new Random(seed * 0x9E37_79B9_7F4A_7C15L);
        FaultInjectingLink.Faults faults = new FaultInjectingLink.Faults(0.2 * r.nextDouble(),
                0.05 * r.nextDouble(), 0.2 * r.nextDouble(), 0.05 * r.nextDouble());
        byte[] aToB = randomBytes(r);
        byte[] bToA = randomBytes(r);
        String what = "seed " + seed + " " + faults + " a->b " + aToB.length + " b->a " + bToA.length;
        try (LinkedStacks net = new LinkedStacks(CONFIG, faults, seed, 512)) {
            CompletableFuture<TcpStream> accepted = new CompletableFuture<>();
            net.b.setSynListener(o -> accepted.complete(o.accept().orElseThrow()));
            TcpStream client = net.a.connect(LinkedStacks.IP_A, 40000 + r.nextInt(20000), LinkedStacks.IP_B,
                    1 + r.nextInt(65535), LinkedStacks.MAC_B);
            CompletableFuture<byte[]> atA = CompletableFuture.supplyAsync(() -> run(client, aToB),
                    r2 -> Thread.ofVirtual().start(r2));
            CompletableFuture<byte[]> atB = accepted.thenApplyAsync(s -> run(s, bToA), r2 -> Thread.ofVirtual()
                    .start(r2));
            byte[] gotAtB;
            byte[] gotAtA;
            try {
                gotAtB = atB.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                gotAtA = atA.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(what + ": " + e.getCause() + "\n" + net.counters.snapshot(), e.getCause());
            }
            assertArrayEquals(aToB, gotAtB, what + ": bytes a->b");
            assertArrayEquals(bToA, gotAtA, what + ": bytes b->a");
            TcpStream server = accepted.get();
            assertTrue(closedCleanly(client), what + ": client closes " + client + " " + client.error());
            assertTrue(closedCleanly(server), what + ": server closes " + server + " " + server.error());
            int lingering = (client.state() == TcpState.TIME_WAIT ? 1 : 0) + (server.state() == TcpState.TIME_WAIT ? 1 : 0);
            assertEquals(lingering, net.a.connectionCount() + net.b.connectionCount(), what + ": table");
        }
    }

    /**
     * Waits (bounded) until the stream reached CLOSED or TIME-WAIT without error. TIME-WAIT outlasts the
     * largest retransmission timeout, so the peer's last FIN is re-acknowledged and never met by a reset.
     */
    private static boolean closedCleanly(TcpStream s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            TcpState st = s.state();
            if (st == TcpState.CLOSED || st == TcpState.TIME_WAIT) {
                return s.error() == null;
            }
            Thread.sleep(1);
        }
        return false;
    }

    private static byte[] run(TcpStream s, byte[] out) {
        try {
            return exchange(s, out);
        } catch (IOException e) {
            throw new RuntimeException(s + ": " + e, e);
        }
    }
}
