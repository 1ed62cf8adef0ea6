package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.ours;
import static io.gvproxy.core.tcp.TcpTestContext.withData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** PAWS and the TS.Recent update rule (RFC 7323 sections 4.3 and 5.3) on a reordering path. */
class TcpPawsTest {
    private static final byte[] STREAM = bytes(10_000, 9);

    private static byte[] slice(int from, int to) {
        return Arrays.copyOfRange(STREAM, from, to);
    }

    private static TcpTestContext full() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(t.fullSyn());
        return t;
    }

    private static void peerSends(TcpTestContext t, int from, int to, int tsVal) {
        t.send(withData(t.peer(from, 0, 0), slice(from, to)).timestamps(tsVal, 0));
    }

    @Test
    void reorderedSegmentWithOlderTimestampIsAcceptedAndStaleDuplicateDropped() {
        TcpTestContext t = full();
        int ts = t.peerTs;
        peerSends(t, 0, 100, ts + 10);
        // segment 3 overtakes segment 2 and carries a later TSval; it must not become TS.Recent
        peerSends(t, 200, 300, ts + 20);
        t.expectAck(100);
        peerSends(t, 100, 200, ts + 15);
        SentSegment ack = t.expectAck(300);
        assertEquals(0, t.counter("drop.paws"), "the reordered segment passed PAWS");
        assertEquals(ts + 15, ack.tsEcr(), "TS.Recent comes from the segment at the left window edge");
        assertArrayEquals(slice(0, 300), t.readAll());

        peerSends(t, 300, 400, ts + 30);
        t.advance(40 * MS);
        t.expectAck(400);
        assertArrayEquals(slice(300, 400), t.readAll());
        t.events.clear();
        // an old duplicate: in the window, but its TSval is far below TS.Recent
        peerSends(t, 400, 500, ts + 12);
        assertEquals(1, t.counter("drop.paws"));
        t.expectAck(400);
        assertTrue(t.events.isEmpty(), "old duplicate discarded");
        assertEquals(0, t.readAll().length);
    }

    @Test
    void oneTickOlderTimestampIsToleratedButDoesNotLowerTsRecent() {
        TcpTestContext t = full();
        int ts = t.peerTs;
        peerSends(t, 0, 100, ts + 10);
        t.advance(40 * MS);
        t.expectAck(100);
        // the peer's clock ticked between two segments that the path swapped (Linux's TCP_PAWS_WINDOW)
        peerSends(t, 100, 200, ts + 9);
        assertEquals(0, t.counter("drop.paws"));
        t.advance(40 * MS);
        SentSegment ack = t.expectAck(200);
        assertEquals(ts + 10, ack.tsEcr(), "TS.Recent never moves backwards");
        peerSends(t, 200, 300, ts + 8);
        assertEquals(1, t.counter("drop.paws"), "two ticks old is an old duplicate");
    }

    @Test
    void reorderedDuplicateAckKeepsItsSackInformation() {
        TcpTestContext t = full();
        t.write(bytes(5000, 3));
        SentSegment first = t.next();
        int smss = first.len();
        t.drain();
        int ts = t.peerTs;
        // segment 1 is lost; the duplicate ACKs SACKing segments 2, 2-3 and 2-4 arrive newest first
        for (int i : new int[] {3, 1, 2}) {
            TcpSegment dup = t.peer(0, 0, 0).timestamps(ts + 5 * i, first.tsVal());
            dup.addSackBlock(ours(smss), ours((long) smss * (i + 1)));
            t.send(dup);
        }
        assertEquals(0, t.counter("drop.paws"), "reordered duplicate ACKs are not old duplicates");
        assertEquals(1, t.counter("fast_retransmits"));
        SentSegment rexmit = t.next();
        assertEquals(ours(0), rexmit.seq(), "segment 1 is resent at once");
        assertEquals(ts + 15, rexmit.tsEcr(), "TS.Recent stays at the newest duplicate ACK");
    }
}
