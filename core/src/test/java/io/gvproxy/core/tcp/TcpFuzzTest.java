package io.gvproxy.core.tcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever a guest sends, the engine must neither throw nor grow without bound: random segments (near-valid and
 * garbage sequence numbers, flags, options, SACK blocks, payloads) mixed with application calls and timers.
 */
class TcpFuzzTest {
    static LongStream seeds() {
        return LongStream.range(0, 300).map(i -> i * 7919 + 13);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSegmentsNeverBreakTheEngine(long seed) {
        Random rnd = new Random(seed);
        try {
            run(rnd);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("failing seed " + seed + ": " + e, e);
        }
    }

    private static void run(Random rnd) {
        TcpConfig config = TcpConfig.builder()
                .receiveBufferBytes(1000 + rnd.nextInt(100_000))
                .sendBufferBytes(1000 + rnd.nextInt(100_000))
                .maxOutOfOrderRanges(1 + rnd.nextInt(8))
                .sack(rnd.nextBoolean()).timestamps(rnd.nextBoolean()).windowScaling(rnd.nextBoolean())
                .keepalive(rnd.nextBoolean(), 5_000_000_000L, 1_000_000_000L, 3)
                .build();
        TcpTestContext t = new TcpTestContext(config);
        int mode = rnd.nextInt(3);
        if (mode == 0) {
            t.establishPassive(rnd.nextBoolean() ? t.fullSyn() : TcpTestContext.bareSyn());
        } else if (mode == 1) {
            t.conn.listen();
        } else {
            t.conn.connect(t.now);
        }
        byte[] payload = TcpTestContext.bytes(3000, (int) rnd.nextLong());
        for (int i = 0; i < 300; i++) {
            int action = rnd.nextInt(10);
            if (action < 6) {
                t.send(randomSegment(rnd, payload));
            } else if (action == 6 && t.conn.state() != TcpState.CLOSED && t.conn.state() != TcpState.LISTEN) {
                try {
                    t.conn.write(payload, 0, rnd.nextInt(payload.length), t.now);
                } catch (IllegalStateException sendSideClosed) {
                    // writing after shutdown is the caller's error, reported as such
                }
            } else if (action == 7) {
                int n = rnd.nextInt(5000);
                t.conn.read(new byte[n], 0, n, t.now);
            } else if (action == 8) {
                t.advance(rnd.nextInt(3_000) * 1_000_000L);
            } else if (rnd.nextInt(20) == 0) {
                t.conn.shutdownOutput(t.now);
            }
            assertTrue(t.conn.readable() >= 0 && t.conn.readable() <= config.receiveBufferBytes());
            assertTrue(t.conn.writable() >= 0 && t.conn.writable() <= config.sendBufferBytes());
            t.out.clear();
        }
        t.advance(3_600_000_000_000L);
    }

    private static TcpSegment randomSegment(Random rnd, byte[] payload) {
        TcpSegment s = new TcpSegment();
        boolean near = rnd.nextInt(4) != 0;
        s.seq(near ? TcpTestContext.peers(rnd.nextInt(140_000) - 70_000) : rnd.nextInt());
        s.ack(near ? TcpTestContext.ours(rnd.nextInt(140_000) - 70_000) : rnd.nextInt());
        int flags = rnd.nextInt(256);
        if (near && rnd.nextBoolean()) {
            flags = TcpFlags.ACK | (rnd.nextInt(8) == 0 ? TcpFlags.FIN : 0);
        }
        s.flags(flags).window(rnd.nextInt(0x10000));
        if (rnd.nextInt(4) == 0) {
            s.mss(rnd.nextInt(0x10000)).windowScale(rnd.nextInt(256)).sackPermitted(rnd.nextBoolean());
        }
        if (rnd.nextBoolean()) {
            s.timestamps(rnd.nextInt(), rnd.nextInt());
        }
        for (int i = rnd.nextInt(6); i > 0; i--) {
            int l = near ? TcpTestContext.ours(rnd.nextInt(140_000) - 70_000) : rnd.nextInt();
            s.addSackBlock(l, l + rnd.nextInt(5000) - 1000);
        }
        int len = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(payload.length);
        s.payload(MemorySegment.ofArray(payload), 0, len);
        return s;
    }
}
