package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.ours;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpRetransmissionTest {
    private static final byte[] DATA = bytes(100_000, 11);

    private static TcpTestContext bareNewReno(TcpConfig.Builder b) {
        TcpTestContext t = new TcpTestContext(b.congestion(CongestionAlgorithm.NEW_RENO).build());
        t.establishPassive(TcpTestContext.bareSyn());
        return t;
    }

    private static void assertData(SentSegment s, int offset, int len) {
        assertEquals(ours(offset), s.seq(), "seq of " + s);
        assertEquals(len, s.len(), "len of " + s);
        assertArrayEquals(Arrays.copyOfRange(DATA, offset, offset + len), s.payload());
    }

    @Test
    void retransmissionTimeoutBacksOffExponentially() {
        TcpTestContext t = bareNewReno(TcpConfig.builder());
        t.write(Arrays.copyOf(DATA, 1000));
        assertData(t.next(), 0, 1000);
        // the handshake measured an RTT of 0, so RTO = the 200 ms floor
        assertEquals(200 * MS, t.fireNextTimer());
        assertData(t.next(), 0, 1000);
        assertEquals(1000, t.conn.congestionWindow(), "loss window: one segment");
        assertEquals(400 * MS, t.fireNextTimer());
        assertData(t.next(), 0, 1000);
        assertEquals(800 * MS, t.fireNextTimer());
        assertData(t.next(), 0, 1000);
        assertEquals(3, t.conn.retransmitTimeouts());
        t.send(t.peer(0, 1000, 0));
        assertEquals(TcpTimers.NONE, t.conn.nextTimerDeadline());
        assertEquals(200 * MS, t.conn.retransmitTimeoutNanos(), "a new ACK clears the backoff");
    }

    @Test
    void unansweredRetransmissionsAbortWithReset() {
        TcpTestContext t = bareNewReno(TcpConfig.builder().maxRetransmits(2));
        t.write(Arrays.copyOf(DATA, 500));
        t.next();
        t.fireNextTimer();
        t.next();
        t.fireNextTimer();
        t.next();
        t.fireNextTimer();
        SentSegment rst = t.next();
        assertTrue(rst.has(TcpFlags.RST));
        assertEquals(ours(500), rst.seq());
        t.assertClosedWith(TcpError.TIMED_OUT);
    }

    @Test
    void threeDuplicateAcksTriggerFastRetransmitAndNewRenoPartialAcks() {
        TcpTestContext t = bareNewReno(TcpConfig.builder());
        t.write(Arrays.copyOf(DATA, 5000));
        assertEquals(5, t.drain().size());
        t.send(t.peer(0, 1000, 0));
        t.send(t.peer(0, 1000, 0));
        t.send(t.peer(0, 1000, 0));
        t.expectNothing();
        t.send(t.peer(0, 1000, 0));
        assertData(t.next(), 1000, 1000);
        assertEquals(1, t.conn.fastRetransmits());
        assertEquals(2000, t.conn.slowStartThreshold(), "half of the 4000 bytes in flight");
        t.send(t.peer(0, 1000, 0));
        t.expectNothing();
        // partial ACK: the next hole is resent at once, without waiting for more duplicates or the RTO
        t.send(t.peer(0, 3000, 0));
        assertData(t.next(), 3000, 1000);
        t.expectNothing();
        t.send(t.peer(0, 5000, 0));
        t.expectNothing();
        assertEquals(2000, t.conn.congestionWindow(), "full ACK: cwnd deflates to ssthresh");
        assertEquals(TcpTimers.NONE, t.conn.nextTimerDeadline());
    }

    @Test
    void limitedTransmitSendsNewDataOnTheFirstTwoDuplicateAcks() {
        TcpTestContext t = bareNewReno(TcpConfig.builder());
        t.write(Arrays.copyOf(DATA, 15_000));
        assertEquals(10, t.drain().size(), "initial window of ten segments");
        t.send(t.peer(0, 0, 0));
        assertData(t.next(), 10_000, 1000);
        t.expectNothing();
        t.send(t.peer(0, 0, 0));
        assertData(t.next(), 11_000, 1000);
        t.expectNothing();
        t.send(t.peer(0, 0, 0));
        assertData(t.next(), 0, 1000);
        t.expectNothing();
        assertEquals(6000, t.conn.slowStartThreshold(), "half of the 12000 bytes in flight");
    }

    @Test
    void theCongestionWindowGrowsOnlyWhileItLimitsSending() {
        TcpTestContext t = bareNewReno(TcpConfig.builder());
        for (int i = 0; i < 20; i++) {
            t.write(Arrays.copyOf(DATA, 500));
            t.next();
            t.send(t.peer(0, 500L * (i + 1), 0));
        }
        assertEquals(10_000, t.conn.congestionWindow(), "application-limited: no growth");
        t.write(Arrays.copyOf(DATA, 30_000));
        assertEquals(10, t.drain().size());
        t.send(t.peer(0, 10_000 + 2_000, 0));
        assertEquals(12_000, t.conn.congestionWindow(), "cwnd-limited slow start: +2 SMSS for a stretch ACK");
    }

    @Test
    void duplicateAcksWithAChangedWindowAreNotCounted() {
        TcpTestContext t = bareNewReno(TcpConfig.builder());
        t.write(Arrays.copyOf(DATA, 5000));
        t.drain();
        for (int w = 0; w < 5; w++) {
            t.send(t.peer(0, 0, 0).window(60_000 + w));
        }
        t.expectNothing();
        assertEquals(0, t.conn.fastRetransmits());
    }

    @Test
    void sackRecoveryRetransmitsEveryLostHoleWithinOneRoundTrip() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(t.fullSyn());
        int mss = t.conn.sendMss();
        assertEquals(1448, mss);
        t.write(Arrays.copyOf(DATA, 10 * mss));
        assertEquals(10, t.drain().size());
        // segments 0 and 5 lost; one ACK reports the rest
        TcpSegment ack = t.peer(0, 0, 0).addSackBlock(ours(mss), ours(5 * mss))
                .addSackBlock(ours(6 * mss), ours(10 * mss));
        t.send(ack);
        List<SentSegment> resent = t.drain();
        assertEquals(2, resent.size(), "both holes count as lost: more than 2 SMSS SACKed above each");
        assertData(resent.get(0), 0, mss);
        assertData(resent.get(1), 5 * mss, mss);
        assertEquals(1, t.conn.fastRetransmits());
        t.send(t.peer(0, 5 * mss, 0).addSackBlock(ours(6 * mss), ours(10 * mss)));
        t.expectNothing();
        t.send(t.peer(0, 10 * mss, 0));
        t.expectNothing();
        assertEquals(TcpTimers.NONE, t.conn.nextTimerDeadline());
        assertEquals(2, t.conn.retransmittedSegments());
    }

    @Test
    void sackRecoveryWaitsUntilEnoughIsSacked() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(t.fullSyn());
        int mss = t.conn.sendMss();
        t.write(Arrays.copyOf(DATA, 10 * mss));
        t.drain();
        t.send(t.peer(0, 0, 0).addSackBlock(ours(mss), ours(2 * mss)));
        t.send(t.peer(0, 0, 0).addSackBlock(ours(mss), ours(3 * mss)));
        t.expectNothing();
        t.send(t.peer(0, 0, 0).addSackBlock(ours(mss), ours(4 * mss)));
        assertData(t.next(), 0, mss);
    }
}
