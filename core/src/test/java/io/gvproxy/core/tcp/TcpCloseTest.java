package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.ours;
import static io.gvproxy.core.tcp.TcpTestContext.withData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpCloseTest {
    private static TcpTestContext established(TcpConfig config) {
        TcpTestContext t = new TcpTestContext(config);
        t.establishPassive(TcpTestContext.bareSyn());
        return t;
    }

    private static void assertFin(SentSegment s, int offset) {
        assertTrue(s.has(TcpFlags.FIN) && s.has(TcpFlags.ACK), "FIN expected: " + s);
        assertEquals(ours(offset), s.seq());
    }

    @Test
    void halfCloseOfOurSideKeepsReceiving() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.conn.shutdownOutput(t.now);
        assertFin(t.next(), 0);
        assertEquals(TcpState.FIN_WAIT_1, t.conn.state());
        assertThrows(IllegalStateException.class, () -> t.conn.write(new byte[1], 0, 1, t.now));
        t.send(t.peer(0, 1, 0));
        assertEquals(TcpState.FIN_WAIT_2, t.conn.state());
        byte[] data = bytes(500, 4);
        t.send(withData(t.peer(0, 1, 0), data));
        assertEquals(List.of("readable"), t.events);
        t.send(t.peer(500, 1, TcpFlags.FIN));
        t.expectAck(501);
        assertEquals(TcpState.TIME_WAIT, t.conn.state());
        assertArrayEquals(data, t.readAll());
        assertEquals(-1, t.conn.read(new byte[1], 0, 1, t.now));
        t.advance(999 * MS);
        assertEquals(TcpState.TIME_WAIT, t.conn.state());
        t.advance(1 * MS);
        assertEquals(TcpState.CLOSED, t.conn.state());
        assertEquals(List.of("readable", "peerFin", "closed"), t.events);
        assertNull(t.error);
    }

    @Test
    void halfCloseOfThePeerKeepsSending() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.send(t.peer(0, 0, TcpFlags.FIN));
        t.expectAck(1);
        assertEquals(TcpState.CLOSE_WAIT, t.conn.state());
        assertEquals(List.of("peerFin"), t.events);
        assertEquals(-1, t.conn.read(new byte[1], 0, 1, t.now));
        t.write(bytes(1500, 2));
        List<SentSegment> sent = t.drain();
        assertEquals(1500, sent.stream().mapToInt(SentSegment::len).sum());
        t.send(t.peer(1, 1500, 0));
        t.conn.shutdownOutput(t.now);
        assertEquals(TcpState.LAST_ACK, t.conn.state());
        assertFin(t.next(), 1500);
        t.send(t.peer(1, 1501, 0));
        assertEquals(TcpState.CLOSED, t.conn.state());
        assertTrue(t.events.contains("closed"));
        assertNull(t.error);
    }

    @Test
    void simultaneousCloseGoesThroughClosing() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.conn.shutdownOutput(t.now);
        assertFin(t.next(), 0);
        t.send(t.peer(0, 0, TcpFlags.FIN)); // the peer's FIN crossed ours
        t.expectAck(1);
        assertEquals(TcpState.CLOSING, t.conn.state());
        t.send(t.peer(1, 1, 0));
        assertEquals(TcpState.TIME_WAIT, t.conn.state());
        t.advance(1000 * MS);
        assertEquals(TcpState.CLOSED, t.conn.state());
    }

    @Test
    void finAcknowledgingOurFinGoesStraightToTimeWait() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.conn.shutdownOutput(t.now);
        t.next();
        t.send(t.peer(0, 1, TcpFlags.FIN));
        t.expectAck(1);
        assertEquals(TcpState.TIME_WAIT, t.conn.state());
    }

    @Test
    void timeWaitAcknowledgesARetransmittedFinAndRestarts() {
        TcpTestContext t = established(TcpConfig.builder().timeWaitNanos(500 * MS).build());
        t.conn.shutdownOutput(t.now);
        t.next();
        t.send(t.peer(0, 1, TcpFlags.FIN));
        t.expectAck(1);
        t.advance(400 * MS);
        t.send(t.peer(0, 1, TcpFlags.FIN));
        t.expectAck(1);
        t.advance(400 * MS);
        assertEquals(TcpState.TIME_WAIT, t.conn.state(), "the timer restarted");
        t.send(t.peer(1, 1, TcpFlags.RST));
        assertEquals(TcpState.TIME_WAIT, t.conn.state(), "RFC 1337: no TIME-WAIT assassination");
        t.advance(100 * MS);
        assertEquals(TcpState.CLOSED, t.conn.state());
    }

    @Test
    void timeWaitLetsANewerSynReuseTheTuple() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.conn.shutdownOutput(t.now);
        t.next();
        t.send(t.peer(0, 1, TcpFlags.FIN));
        t.next();
        assertEquals(TcpState.TIME_WAIT, t.conn.state());
        TcpSegment older = new TcpSegment().seq(TcpTestContext.peers(-100)).flags(TcpFlags.SYN);
        TcpSegment newer = new TcpSegment().seq(TcpTestContext.peers(100_000)).flags(TcpFlags.SYN);
        assertFalse(t.conn.timeWaitAcceptsNewSyn(older));
        assertTrue(t.conn.timeWaitAcceptsNewSyn(newer));
        assertFalse(t.conn.timeWaitAcceptsNewSyn(new TcpSegment().seq(TcpTestContext.peers(100_000))
                .flags(TcpFlags.SYN | TcpFlags.ACK)));
        t.conn.abort(t.now);
        t.expectNothing();
        assertEquals(TcpState.CLOSED, t.conn.state());
    }

    @Test
    void timeWaitComparesTimestampsWhenTheyAreInUse() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(t.fullSyn());
        t.conn.shutdownOutput(t.now);
        t.next();
        t.send(t.peer(0, 1, TcpFlags.FIN).timestamps(t.peerTs + 5, 0));
        assertEquals(TcpState.TIME_WAIT, t.conn.state());
        TcpSegment syn = new TcpSegment().seq(TcpTestContext.peers(-100)).flags(TcpFlags.SYN);
        assertFalse(t.conn.timeWaitAcceptsNewSyn(syn.timestamps(t.peerTs + 4, 0)));
        assertTrue(t.conn.timeWaitAcceptsNewSyn(syn.timestamps(t.peerTs + 6, 0)), "a lower seq is fine");
    }

    @Test
    void ourFinIsRetransmittedUntilAcknowledged() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.write(bytes(100, 1));
        t.conn.shutdownOutput(t.now);
        List<SentSegment> first = t.drain();
        assertEquals(2, first.size(), "write sends at once (no Nagle), the FIN follows");
        assertFin(first.get(1), 100);
        t.send(t.peer(0, 100, 0));
        t.fireNextTimer();
        SentSegment again = t.next();
        assertFin(again, 100);
        assertEquals(0, again.len());
    }

    @Test
    void finRidesOnTheLastHeldBackSegment() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.send(t.peer(0, 0, 0).window(0));
        t.write(bytes(100, 1));
        t.conn.shutdownOutput(t.now);
        t.expectNothing();
        t.send(t.peer(0, 0, 0).window(1000));
        SentSegment s = t.next();
        assertEquals(100, s.len());
        assertTrue(s.has(TcpFlags.FIN));
        t.expectNothing();
    }

    @Test
    void anOutOfOrderFinWaitsForTheMissingData() {
        TcpTestContext t = established(TcpConfig.defaults());
        byte[] data = bytes(1500, 8);
        t.send(withData(t.peer(1000, 0, TcpFlags.FIN), java.util.Arrays.copyOfRange(data, 1000, 1500)));
        t.expectAck(0);
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
        t.send(withData(t.peer(0, 0, 0), java.util.Arrays.copyOf(data, 1000)));
        t.expectAck(1501);
        assertEquals(TcpState.CLOSE_WAIT, t.conn.state());
        assertArrayEquals(data, t.readAll());
    }

    @Test
    void closeWithUnreadDataResets() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.send(withData(t.peer(0, 0, 0), bytes(100, 1)));
        t.conn.close(t.now);
        assertTrue(t.next().has(TcpFlags.RST));
        assertEquals(TcpState.CLOSED, t.conn.state());
    }

    @Test
    void dataArrivingAfterCloseResets() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.conn.close(t.now);
        assertFin(t.next(), 0);
        t.send(t.peer(0, 1, 0));
        t.send(withData(t.peer(0, 1, 0), bytes(10, 1)));
        assertTrue(t.next().has(TcpFlags.RST));
        t.assertClosedWith(TcpError.DATA_AFTER_CLOSE);
    }

    @Test
    void finWait2IsBoundedAfterClose() {
        TcpTestContext t = established(TcpConfig.builder().finWait2TimeoutNanos(5000 * MS).build());
        t.conn.close(t.now);
        t.next();
        t.send(t.peer(0, 1, 0));
        assertEquals(TcpState.FIN_WAIT_2, t.conn.state());
        assertEquals(5000 * MS, t.fireNextTimer());
        assertTrue(t.next().has(TcpFlags.RST));
        t.assertClosedWith(TcpError.TIMED_OUT);
    }

    @Test
    void finWait2AfterShutdownOnlyWaitsForThePeer() {
        TcpTestContext t = established(TcpConfig.defaults());
        t.conn.shutdownOutput(t.now);
        t.next();
        t.send(t.peer(0, 1, 0));
        assertEquals(TcpState.FIN_WAIT_2, t.conn.state());
        assertEquals(TcpTimers.NONE, t.conn.nextTimerDeadline(), "a half-closed connection may last");
    }
}
