package io.gvproxy.core.tcp;

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
}
