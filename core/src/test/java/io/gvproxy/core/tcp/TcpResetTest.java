package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.PEER_ISS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.withData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TcpResetTest {
    private static TcpTestContext established(TcpConfig config) {
        TcpTestContext t = new TcpTestContext(config);
        t.establishPassive(TcpTestContext.bareSyn());
        return t;
    }

    @Test
    void resetAtExactlyRcvNxtClosesTheConnection() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.send(t.peer(0, 0, TcpFlags.RST));
        t.expectNothing();
        t.assertClosedWith(TcpError.CONNECTION_RESET);
        assertEquals(-1, t.conn.read(new byte[10], 0, 10, t.now));
    }

    @Test
    void resetInsideTheWindowButNotAtRcvNxtGetsAChallengeAck() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.send(t.peer(100, 0, TcpFlags.RST));
        t.expectAck(0);
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
        assertEquals(1, t.conn.challengeAcksSent());
    }

    @Test
    void resetOutsideTheWindowIsSilentlyDropped() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.send(t.peer(70_000, 0, TcpFlags.RST));
        t.send(t.peer(-5, 0, TcpFlags.RST));
        t.expectNothing();
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
    }

    @Test
    void synOnAnEstablishedConnectionGetsAChallengeAck() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.send(new TcpSegment().seq(TcpTestContext.peers(10)).flags(TcpFlags.SYN).window(1000));
        t.expectAck(0);
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
    }

    @Test
    void challengeAcksAreRateLimited() {
        TcpTestContext t = established(TcpConfig.builder().challengeAcksPerSecond(2).build());
        for (int i = 1; i <= 3; i++) {
            t.send(t.peer(i * 10, 0, TcpFlags.RST));
        }
        assertEquals(2, t.drain().size());
        t.advance(1000 * MS);
        t.send(t.peer(50, 0, TcpFlags.RST));
        t.expectAck(0);
    }

    @Test
    void anAckForDataNeverSentIsAnsweredAndTheSegmentDropped() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.send(withData(t.peer(0, 5000, 0), bytes(100, 1)));
        t.expectAck(0);
        assertEquals(0, t.conn.readable());
    }

    @Test
    void resetInSynReceivedClosesTheEmbryonicConnection() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.listen();
        t.send(TcpTestContext.bareSyn());
        t.next();
        t.send(new TcpSegment().seq(PEER_ISS + 1).flags(TcpFlags.RST));
        t.assertClosedWith(TcpError.CONNECTION_RESET);
    }

    @Test
    void abortSendsResetAndCloses() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.conn.abort(t.now);
        SentSegment rst = t.next();
        assertTrue(rst.has(TcpFlags.RST));
        assertEquals(TcpTestContext.ours(0), rst.seq());
        assertEquals(TcpState.CLOSED, t.conn.state());
        assertTrue(t.events.contains("closed"));
        assertEquals(null, t.error, "an abort by the owner is not reported as an error");
    }
}
