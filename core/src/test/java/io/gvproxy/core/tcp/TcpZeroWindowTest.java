package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.ours;
import static io.gvproxy.core.tcp.TcpTestContext.peers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpZeroWindowTest {
    private static TcpTestContext stalledSender(TcpConfig config) {
        TcpTestContext t = new TcpTestContext(config);
        t.establishPassive(TcpTestContext.bareSyn());
        t.write(bytes(3000, 1));
        assertEquals(3, t.drain().size());
        t.send(t.peer(0, 3000, 0).window(0));
        t.write(bytes(2000, 2));
        t.expectNothing();
        return t;
    }

    private static void assertProbe(SentSegment s) {
        assertEquals(0, s.len());
        assertEquals(ours(2999), s.seq(), "one below SND.UNA: the peer must answer with an ACK");
        assertEquals(peers(0), s.ack());
    }

    @Test
    void zeroWindowIsProbedWithBackoffUntilItReopens() {
        TcpTestContext t = stalledSender(TcpConfig.defaults());
        assertEquals(200 * MS, t.fireNextTimer());
        assertProbe(t.next());
        t.send(t.peer(0, 3000, 0).window(0));
        assertEquals(400 * MS, t.fireNextTimer());
        assertProbe(t.next());
        t.send(t.peer(0, 3000, 0).window(0));
        assertEquals(800 * MS, t.fireNextTimer());
        assertProbe(t.next());
        // the window reopens: data flows at once and probing stops
        t.send(t.peer(0, 3000, 0).window(0xFFFF));
        List<SentSegment> sent = t.drain();
        assertEquals(2, sent.size(), "full segments even across the send ring's wrap: " + sent);
        assertEquals(ours(3000), sent.get(0).seq());
        assertEquals(ours(4000), sent.get(1).seq());
        assertEquals(1000, sent.get(1).len());
        assertTrue(t.conn.nextTimerDeadline() - t.now == 200 * MS, "only the retransmission timer remains");
    }

    @Test
    void aLostWindowUpdateIsRecoveredByTheProbe() {
        TcpTestContext t = stalledSender(TcpConfig.defaults());
        t.fireNextTimer();
        assertProbe(t.next());
        // the probe's answer carries the window the lost update announced
        t.send(t.peer(0, 3000, 0).window(1000));
        SentSegment s = t.next();
        assertEquals(ours(3000), s.seq());
        assertEquals(1000, s.len());
    }

    @Test
    void aSmallWindowIsFilledOnlyWhenThePersistTimerForcesIt() {
        TcpTestContext t = stalledSender(TcpConfig.defaults());
        // 300 bytes of window: below one MSS and below half the largest window seen, so wait (SWS avoidance)
        t.send(t.peer(0, 3000, 0).window(300));
        t.expectNothing();
        t.fireNextTimer();
        SentSegment s = t.next();
        assertEquals(ours(3000), s.seq());
        assertEquals(300, s.len());
    }

    @Test
    void probesThatAreNeverAnsweredTimeOut() {
        TcpTestContext t = stalledSender(TcpConfig.builder().maxRetransmits(3).build());
        for (int i = 0; i < 3; i++) {
            t.fireNextTimer();
            assertProbe(t.next());
        }
        t.fireNextTimer();
        assertTrue(t.next().has(TcpFlags.RST));
        t.assertClosedWith(TcpError.TIMED_OUT);
    }
}
