package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.ours;
import static io.gvproxy.core.tcp.TcpTestContext.peers;
import static io.gvproxy.core.tcp.TcpTestContext.withData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpDataTransferTest {
    private static final byte[] STREAM = bytes(200_000, 5);

    private static byte[] slice(int from, int to) {
        return Arrays.copyOfRange(STREAM, from, to);
    }

    private static void peerSends(TcpTestContext t, int from, int to) {
        t.send(withData(t.peer(from, 0, 0), slice(from, to)));
    }

    private static TcpTestContext bare(TcpConfig config) {
        TcpTestContext t = new TcpTestContext(config);
        t.establishPassive(TcpTestContext.bareSyn());
        return t;
    }

    private static TcpTestContext full(TcpConfig config) {
        TcpTestContext t = new TcpTestContext(config);
        t.establishPassive(t.fullSyn());
        return t;
    }

    @Test
    void aLoneSegmentIsAcknowledgedAfterTheDelayedAckTimeout() {
        TcpTestContext t = bare(TcpConfig.defaults());
        peerSends(t, 0, 500);
        assertEquals(List.of("readable"), t.events);
        t.expectNothing();
        t.advance(39 * MS);
        t.expectNothing();
        t.advance(1 * MS);
        t.expectAck(500);
        assertArrayEquals(slice(0, 500), t.readAll());
    }

    @Test
    void everySecondFullSizedSegmentIsAcknowledgedAtOnce() {
        TcpTestContext t = bare(TcpConfig.defaults());
        peerSends(t, 0, 1000);
        t.expectNothing();
        peerSends(t, 1000, 2000);
        t.expectAck(2000);
        peerSends(t, 2000, 3000);
        t.expectNothing();
        peerSends(t, 3000, 4000);
        t.expectAck(4000);
        assertEquals(TcpTimers.NONE, t.conn.nextTimerDeadline(), "no delayed ACK left pending");
    }

    @Test
    void writesAreCutIntoMssSizedSegments() {
        TcpTestContext t = bare(TcpConfig.defaults());
        t.write(slice(0, 3500));
        List<SentSegment> sent = t.drain();
        assertEquals(4, sent.size());
        int[] lens = sent.stream().mapToInt(SentSegment::len).toArray();
        assertArrayEquals(new int[] {1000, 1000, 1000, 500}, lens);
        for (int i = 0; i < 4; i++) {
            assertEquals(ours(i * 1000), sent.get(i).seq());
            assertEquals(peers(0), sent.get(i).ack());
            assertArrayEquals(slice(i * 1000, i * 1000 + lens[i]), sent.get(i).payload());
        }
        assertTrue(sent.get(3).has(TcpFlags.PSH));
        t.send(t.peer(0, 3500, 0));
        assertEquals(TcpTimers.NONE, t.conn.nextTimerDeadline(), "everything acknowledged: no timer");
    }

    @Test
    void writeReturnsWhatFitsAndSignalsWritableSpaceLater() {
        TcpTestContext t = bare(TcpConfig.builder().sendBufferBytes(3000).build());
        assertEquals(3000, t.conn.write(STREAM, 0, 5000, t.now));
        assertEquals(0, t.conn.writable());
        t.drain();
        t.send(t.peer(0, 2000, 0));
        assertEquals(List.of("writable"), t.events);
        assertEquals(2000, t.conn.writable());
    }

    @Test
    void advertisedWindowClosesWhenTheApplicationDoesNotRead() {
        TcpTestContext t = bare(TcpConfig.builder().receiveBufferBytes(4000).build());
        peerSends(t, 0, 1000);
        peerSends(t, 1000, 2000);
        assertEquals(2000, t.expectAck(2000).window());
        peerSends(t, 2000, 3000);
        peerSends(t, 3000, 4000);
        assertEquals(0, t.expectAck(4000).window());
        // beyond the window: dropped, and the zero window repeated
        peerSends(t, 4000, 5000);
        assertEquals(0, t.expectAck(4000).window());
        byte[] buf = new byte[1000];
        assertEquals(1000, t.conn.read(buf, 0, 1000, t.now));
        t.expectNothing(); // receiver SWS avoidance: 1000 bytes is below min(buffer/2, MSS)
        assertEquals(1000, t.conn.read(buf, 0, 1000, t.now));
        assertEquals(2000, t.expectAck(4000).window(), "window update once it is worth it");
        peerSends(t, 4000, 5000);
        peerSends(t, 5000, 6000);
        t.expectAck(6000);
        byte[] rest = new byte[4000];
        assertEquals(4000, t.conn.read(rest, 0, 4000, t.now));
        assertArrayEquals(slice(2000, 6000), rest);
    }

    @Test
    void windowGrowsToMegabytesWhileThePeerFillsItAndAcceptsThem() {
        int total = 3 * 1024 * 1024 / WindowedPeer.MSS * WindowedPeer.MSS;
        byte[] big = bytes(total, 9);
        // the application does not read: the window grows only because the peer keeps filling it
        WindowedPeer p = new WindowedPeer(TcpConfig.defaults(), big);
        assertEquals(total, p.pump(false, 100_000), "the window kept opening");
        TcpTestContext t = p.t;
        t.advance(40 * MS);
        SentSegment lastAck = t.out.isEmpty() ? p.lastAck : t.out.peekLast();
        assertEquals(peers(total), lastAck.ack());
        long window = (long) lastAck.window() << 7;
        long expected = 4 * 1024 * 1024 - total;
        // grown to the whole buffer; the right edge moves in steps of at least one MSS (receiver SWS avoidance)
        // and rounds down to 2^7
        assertTrue(window <= expected && window > expected - 1460 - 128,
                "scaled window " + window + " vs free " + expected);
        assertEquals(total, t.conn.readable());
        byte[] got = new byte[total];
        assertEquals(total, t.conn.read(got, 0, total, t.now));
        assertArrayEquals(big, got);
    }

    @Test
    void outOfOrderSegmentsAreSackedMostRecentFirst() {
        TcpTestContext t = full(TcpConfig.defaults());
        peerSends(t, 1448, 2896);
        SentSegment a1 = t.expectAck(0);
        assertEquals(1, a1.sackBlocks());
        assertEquals(peers(1448), a1.sackLeft()[0]);
        assertEquals(peers(2896), a1.sackRight()[0]);
        assertTrue(t.events.isEmpty(), "nothing readable yet");
        peerSends(t, 4344, 5792);
        SentSegment a2 = t.expectAck(0);
        assertEquals(2, a2.sackBlocks());
        assertEquals(peers(4344), a2.sackLeft()[0], "the newest block first");
        assertEquals(peers(1448), a2.sackLeft()[1]);
        peerSends(t, 0, 1448);
        SentSegment a3 = t.expectAck(2896);
        assertEquals(1, a3.sackBlocks());
        assertEquals(peers(4344), a3.sackLeft()[0]);
        peerSends(t, 2896, 4344);
        SentSegment a4 = t.expectAck(5792);
        assertEquals(0, a4.sackBlocks());
        assertArrayEquals(slice(0, 5792), t.readAll());
    }

    @Test
    void duplicatesAreReportedOnceWithADsackBlock() {
        TcpTestContext t = full(TcpConfig.defaults());
        peerSends(t, 0, 1000);
        t.advance(40 * MS);
        assertEquals(0, t.expectAck(1000).sackBlocks());
        peerSends(t, 0, 1000);
        SentSegment d1 = t.expectAck(1000);
        assertEquals(1, d1.sackBlocks());
        assertEquals(peers(0), d1.sackLeft()[0], "RFC 2883: the block lies below the cumulative ACK");
        assertEquals(peers(1000), d1.sackRight()[0]);
        peerSends(t, 500, 1500);
        SentSegment d2 = t.expectAck(1500);
        assertEquals(peers(500), d2.sackLeft()[0]);
        assertEquals(peers(1000), d2.sackRight()[0]);
        peerSends(t, 1500, 2500);
        t.advance(40 * MS);
        assertEquals(0, t.expectAck(2500).sackBlocks(), "reported once only");
    }

    @Test
    void outOfOrderQueueIsBounded() {
        TcpTestContext t = bare(TcpConfig.builder().maxOutOfOrderRanges(2).build());
        peerSends(t, 2000, 3000);
        peerSends(t, 4000, 5000);
        peerSends(t, 6000, 7000);
        assertEquals(1, t.conn.outOfOrderDropped());
        t.drain();
        peerSends(t, 0, 2000);
        t.expectAck(3000);
        peerSends(t, 3000, 4000);
        t.expectAck(5000);
        peerSends(t, 5000, 6000);
        t.advance(40 * MS);
        t.expectAck(6000); // the dropped range is still missing
        assertArrayEquals(slice(0, 6000), t.readAll());
    }

    @Test
    void duplicatesAndOverlapsAreTrimmed() {
        TcpTestContext t = bare(TcpConfig.defaults());
        peerSends(t, 0, 1000);
        peerSends(t, 500, 1500);
        t.expectNothing(); // 1500 new bytes: less than two full segments, so the ACK is delayed
        t.advance(40 * MS);
        t.expectAck(1500);
        peerSends(t, 0, 1000);
        t.expectAck(1500); // a pure duplicate is acknowledged at once
        peerSends(t, 1400, 2400);
        peerSends(t, 2000, 3000);
        t.advance(40 * MS);
        t.expectAck(3000);
        assertArrayEquals(slice(0, 3000), t.readAll());
    }

    @Test
    void dataBeyondTheWindowIsCutAtItsRightEdge() {
        TcpTestContext t = bare(TcpConfig.builder().receiveBufferBytes(4000).build());
        peerSends(t, 0, 5000);
        SentSegment ack = t.expectAck(4000);
        assertEquals(0, ack.window());
        assertArrayEquals(slice(0, 4000), t.readAll());
    }

    @Test
    void pawsDropsSegmentsWithOldTimestamps() {
        TcpTestContext t = full(TcpConfig.defaults());
        t.send(withData(t.peer(0, 0, 0), slice(0, 100)).timestamps(t.peerTs + 10, 0));
        t.advance(40 * MS);
        t.expectAck(100);
        t.events.clear();
        t.send(withData(t.peer(100, 0, 0), slice(100, 200)).timestamps(t.peerTs + 5, 0));
        t.expectAck(100);
        assertTrue(t.events.isEmpty(), "old duplicate discarded");
        t.send(withData(t.peer(100, 0, 0), slice(100, 200)).timestamps(t.peerTs + 11, 0));
        t.advance(40 * MS);
        SentSegment ack = t.expectAck(200);
        assertEquals(t.peerTs + 11, ack.tsEcr(), "TS.Recent follows the newest in-window segment");
    }
}
