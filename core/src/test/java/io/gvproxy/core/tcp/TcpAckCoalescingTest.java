package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.withData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A burst fed with ACK coalescing on gets one ACK at its end; anything urgent is still ACKed at once. */
class TcpAckCoalescingTest {
    private static final byte[] STREAM = bytes(20_000, 9);

    private static TcpTestContext established() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(TcpTestContext.bareSyn());
        return t;
    }

    private static void burst(TcpTestContext t, int from, int to) {
        t.conn.coalesceAcks(true);
        try {
            t.send(withData(t.peer(from, 0, 0), Arrays.copyOfRange(STREAM, from, to)));
        } finally {
            t.conn.coalesceAcks(false);
        }
    }

    @Test
    void aBurstOfFullSegmentsGetsOneAckAtItsEnd() {
        TcpTestContext t = established();
        int end = (TcpReceiver.COALESCED_ACK_SEGMENTS - 1) * 1000;
        for (int k = 0; k < end; k += 1000) {
            burst(t, k, k + 1000);
        }
        t.expectNothing();
        assertTrue(t.conn.coalescedAckPending());
        t.conn.flushCoalescedAck(t.now);
        t.expectAck(end);
        t.expectNothing();
        assertFalse(t.conn.coalescedAckPending());
        assertArrayEquals(Arrays.copyOfRange(STREAM, 0, end), t.readAll());
    }

    @Test
    void aLongBurstIsStillAcknowledgedEveryFewSegments() {
        TcpTestContext t = established();
        int every = TcpReceiver.COALESCED_ACK_SEGMENTS * 1000;
        for (int k = 0; k < 2 * every; k += 1000) {
            burst(t, k, k + 1000);
        }
        t.expectAck(every);
        t.expectAck(2 * every);
        t.expectNothing();
        t.conn.flushCoalescedAck(t.now);
        t.expectNothing();
    }

    @Test
    void withoutAFlushTheDelayedAckTimerStillBoundsTheWait() {
        TcpTestContext t = established();
        burst(t, 0, 1000);
        burst(t, 1000, 2000);
        t.expectNothing();
        t.advance(40 * MS);
        t.expectAck(2000);
        t.conn.flushCoalescedAck(t.now);
        t.expectNothing();
    }

    @Test
    void outOfOrderDataIsAcknowledgedAtOnceEvenWhileCoalescing() {
        TcpTestContext t = established();
        burst(t, 0, 1000);
        burst(t, 1000, 2000);
        burst(t, 3000, 4000);
        t.expectAck(2000);
    }

    @Test
    void withoutCoalescingEverySecondSegmentIsAcknowledged() {
        TcpTestContext t = established();
        t.send(withData(t.peer(0, 0, 0), Arrays.copyOfRange(STREAM, 0, 1000)));
        t.expectNothing();
        t.send(withData(t.peer(1000, 0, 0), Arrays.copyOfRange(STREAM, 1000, 2000)));
        t.expectAck(2000);
        assertFalse(t.conn.coalescedAckPending());
    }
}
