package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.OUR_ISS;
import static io.gvproxy.core.tcp.TcpTestContext.peers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TcpKeepaliveTest {
    private static TcpTestContext established() {
        TcpTestContext t = new TcpTestContext(
                TcpConfig.builder().keepalive(true, 10_000 * MS, 1_000 * MS, 3).build());
        t.establishPassive(TcpTestContext.bareSyn());
        return t;
    }

    private static void assertProbe(SentSegment s) {
        assertEquals(OUR_ISS, s.seq(), "SND.UNA - 1 makes the peer answer");
        assertEquals(peers(0), s.ack());
        assertEquals(0, s.len());
    }

    @Test
    void idleConnectionIsProbedAndAnAnswerRestartsTheIdleTimer() {
        TcpTestContext t = established();
        assertEquals(10_000 * MS, t.fireNextTimer());
        assertProbe(t.next());
        t.send(t.peer(0, 0, 0));
        assertEquals(10_000 * MS, t.fireNextTimer());
        assertProbe(t.next());
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
    }

    @Test
    void unansweredProbesTimeTheConnectionOut() {
        TcpTestContext t = established();
        assertEquals(10_000 * MS, t.fireNextTimer());
        assertProbe(t.next());
        assertEquals(1_000 * MS, t.fireNextTimer());
        assertProbe(t.next());
        assertEquals(1_000 * MS, t.fireNextTimer());
        assertProbe(t.next());
        assertEquals(1_000 * MS, t.fireNextTimer());
        assertTrue(t.next().has(TcpFlags.RST));
        t.assertClosedWith(TcpError.TIMED_OUT);
    }

    @Test
    void aHalfClosedConnectionIsProbedToo() {
        TcpTestContext t = established();
        t.conn.shutdownOutput(t.now);
        t.next();
        t.send(t.peer(0, 1, 0));
        assertEquals(TcpState.FIN_WAIT_2, t.conn.state());
        for (int i = 0; i < 3; i++) {
            t.fireNextTimer();
            SentSegment probe = t.next();
            assertEquals(TcpTestContext.ours(0), probe.seq(), "the FIN's sequence number is now old");
            assertEquals(0, probe.len());
        }
        t.fireNextTimer();
        assertTrue(t.next().has(TcpFlags.RST));
        t.assertClosedWith(TcpError.TIMED_OUT);
    }

    @Test
    void keepaliveIsOffByDefault() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(TcpTestContext.bareSyn());
        assertEquals(TcpTimers.NONE, t.conn.nextTimerDeadline());
    }
}
