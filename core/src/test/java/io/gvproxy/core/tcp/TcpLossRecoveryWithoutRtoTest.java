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

/** Losses that SACK recovery and tail loss probes repair in about a round trip, without the RTO. */
class TcpLossRecoveryWithoutRtoTest {
    private static final byte[] DATA = bytes(100_000, 17);

    private static void assertData(SentSegment s, int offset, int len) {
        assertEquals(ours(offset), s.seq(), "seq of " + s);
        assertEquals(len, s.len(), "len of " + s);
        assertArrayEquals(Arrays.copyOfRange(DATA, offset, offset + len), s.payload());
    }

    private static TcpTestContext sackPeer() {
        TcpTestContext t = new TcpTestContext(TcpConfig.builder().congestion(CongestionAlgorithm.NEW_RENO).build());
        t.establishPassive(t.fullSyn());
        return t;
    }

    @Test
    void lostRetransmissionDuringSackRecoveryIsResentWithoutTimeout() {
        TcpTestContext t = sackPeer();
        int mss = t.conn.sendMss();
        t.write(Arrays.copyOf(DATA, 20 * mss));
        assertEquals(10, t.drain().size());
        // segment 0 is lost; duplicate ACKs SACK segments 1..9 one by one
        long highestNew = 10L * mss;
        long sentAfterRetransmission = -1;
        for (int k = 2; k <= 10; k++) {
            t.send(t.peer(0, 0, 0).addSackBlock(ours(mss), ours((long) k * mss)));
            for (SentSegment s : t.drain()) {
                if (s.seq() == ours(0)) {
                    assertData(s, 0, mss);
                    sentAfterRetransmission = highestNew;
                } else if (s.len() > 0) {
                    assertEquals(ours(highestNew), s.seq(), "new data in order");
                    highestNew += s.len();
                }
            }
        }
        assertTrue(sentAfterRetransmission > 0, "fast retransmit of segment 0");
        assertTrue(highestNew > sentAfterRetransmission, "recovery sent new data after the retransmission");
        assertEquals(1, t.conn.retransmittedSegments());
        // the retransmission is lost too; the peer SACKs everything up to the first segment sent after it
        t.send(t.peer(0, 0, 0).addSackBlock(ours(mss), ours(sentAfterRetransmission + mss)));
        List<SentSegment> out = t.drain();
        assertTrue(out.stream().anyMatch(s -> s.seq() == ours(0) && s.len() == mss),
                "segment 0 sent a third time at once: " + out);
        assertEquals(1, t.counter("lost_retransmissions"));
        assertEquals(0, t.conn.retransmitTimeouts());
        // once it arrives, the cumulative ACK jumps over everything SACKed
        t.send(t.peer(0, highestNew, 0));
        assertEquals(0, t.conn.retransmitTimeouts());
        assertEquals(1, t.conn.fastRetransmits());
    }

    @Test
    void lostLastSegmentOfBurstIsRepairedByTailLossProbe() {
        TcpTestContext t = sackPeer();
        int mss = t.conn.sendMss();
        t.write(Arrays.copyOf(DATA, 4 * mss));
        List<SentSegment> burst = t.drain();
        assertEquals(4, burst.size());
        t.advance(10 * MS);
        // segments 0-2 arrive and are acknowledged; the last one is lost and nothing else is left to send
        t.send(t.stamp(t.peer(0, 3L * mss, 0), burst.get(2)));
        t.expectNothing();
        long rto = t.conn.retransmitTimeoutNanos();
        long waited = t.fireNextTimer();
        assertTrue(waited < rto, "probe after " + waited / MS + " ms, before the RTO of " + rto / MS + " ms");
        SentSegment probe = t.next();
        assertData(probe, 3 * mss, mss);
        assertEquals(1, t.counter("loss_probes"));
        t.send(t.stamp(t.peer(0, 4L * mss, 0), probe));
        assertEquals(TcpTimers.NONE, t.conn.nextTimerDeadline());
        assertEquals(0, t.conn.retransmitTimeouts());
        assertEquals(1, t.conn.retransmittedSegments());
    }

    @Test
    void probeWithoutSackWaitsForTheRetransmissionTimeout() {
        TcpTestContext t = new TcpTestContext(TcpConfig.builder().sack(false).build());
        t.establishPassive(t.fullSyn());
        int mss = t.conn.sendMss();
        t.write(Arrays.copyOf(DATA, 4 * mss));
        List<SentSegment> burst = t.drain();
        t.advance(10 * MS);
        t.send(t.stamp(t.peer(0, 3L * mss, 0), burst.get(2)));
        assertEquals(t.conn.retransmitTimeoutNanos(), t.fireNextTimer());
        assertData(t.next(), 3 * mss, mss);
        assertEquals(0, t.counter("loss_probes"));
        assertEquals(1, t.conn.retransmitTimeouts());
    }
}
