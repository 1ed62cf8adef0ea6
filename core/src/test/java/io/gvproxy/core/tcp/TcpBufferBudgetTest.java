package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.peers;
import static io.gvproxy.core.tcp.TcpTestContext.withData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpBufferBudgetTest {
    private static final int MSS = 1448;
    /** The most one connection may hold beyond the budget: a receive floor and a send floor with its mirror. */
    private static final long FLOORS_PER_CONNECTION = 3L * ByteRing.FLOOR;

    /** A peer that sends {@code data} as the advertised window allows; the application reads when asked to. */
    private static final class Peer {
        final TcpTestContext t;
        final byte[] data;
        final ByteArrayOutputStream read = new ByteArrayOutputStream();
        int sent;
        long edge = 0xFFFF;
        long largestWindow;

        Peer(TcpConfig config, byte[] data) {
            this.t = new TcpTestContext(config);
            t.establishPassive(t.fullSyn());
            this.data = data;
        }

        /** Sends until the window closes for good or everything is sent; returns the bytes sent. */
        int pump(boolean appReads, int maxRounds) {
            return pump(appReads, maxRounds, data.length);
        }

        int pump(boolean appReads, int maxRounds, int upTo) {
            for (int round = 0; sent < upTo && round < maxRounds; round++) {
                int len = (int) Math.min(MSS, Math.min(upTo - sent, edge - sent));
                if (len > 0) {
                    t.send(withData(t.peer(sent, 0, 0), Arrays.copyOfRange(data, sent, sent + len)));
                    sent += len;
                } else {
                    t.advance(40 * MS);
                }
                if (appReads) {
                    byte[] got = t.readAll();
                    read.writeBytes(got);
                }
                SentSegment last = t.out.peekLast();
                t.out.clear();
                if (last != null) {
                    long window = (long) last.window() << 7;
                    largestWindow = Math.max(largestWindow, window);
                    edge = (last.ack() - peers(0)) + window;
                } else if (len <= 0) {
                    return sent;
                }
            }
            return sent;
        }
    }

    private static TcpConfig config(TcpBufferBudget budget) {
        return TcpConfig.builder().receiveBufferBytes(4 << 20).sendBufferBytes(1 << 20).bufferBudget(budget).build();
    }

    @Test
    void manyConnectionsWithFullRingsStayWithinTheBudget() {
        TcpBufferBudget budget = new TcpBufferBudget(1 << 20);
        List<Peer> peers = new ArrayList<>();
        int connections = 24;
        for (int i = 0; i < connections; i++) {
            Peer p = new Peer(config(budget), bytes(2 << 20, i));
            peers.add(p);
            p.pump(false, 5_000);
            // the application also fills its send buffer towards a peer that acknowledges nothing
            p.t.conn.write(new byte[1 << 20], 0, 1 << 20, p.t.now);
            assertTrue(budget.usedBytes() <= budget.limitBytes() + (i + 1) * FLOORS_PER_CONNECTION,
                    "used " + budget.usedBytes() + " after " + (i + 1) + " connections");
        }
        for (Peer p : peers) {
            assertTrue(p.sent > 0 && p.t.conn.readable() == p.sent, "every connection took some data: " + p.sent);
        }
        for (Peer p : peers) {
            p.t.conn.abort(p.t.now);
        }
        assertEquals(0, budget.usedBytes(), "every grant went back at close");
    }

    @Test
    void aStarvedConnectionCompletesAndGrowsOnceTheOthersDrain() {
        TcpBufferBudget budget = new TcpBufferBudget(512 << 10);
        Peer hog = new Peer(config(budget), bytes(1 << 20, 1));
        hog.pump(false, 5_000);
        assertTrue(hog.sent >= 256 << 10, "the hog's window grew into the budget: " + hog.sent);

        byte[] data = bytes(2 << 20, 2);
        Peer starved = new Peer(config(budget), data);
        assertEquals(1 << 20, starved.pump(true, 200_000, 1 << 20), "the starved connection makes progress");
        long starvedWindow = starved.largestWindow;
        assertTrue(starvedWindow <= budget.limitBytes() - (256 << 10), "starved window " + starvedWindow);

        // the hog's application reads everything and its peer closes: its grant goes back
        hog.t.readAll();
        hog.t.send(hog.t.peer(hog.sent, 0, TcpFlags.FIN));
        assertTrue(budget.usedBytes() < 256 << 10, "after the hog drained: " + budget.usedBytes());

        starved.largestWindow = 0;
        assertEquals(data.length, starved.pump(true, 200_000), "the starved connection completes");
        assertArrayEquals(data, starved.read.toByteArray());
        assertTrue(starved.largestWindow > starvedWindow,
                "window " + starved.largestWindow + " once the budget is free, " + starvedWindow + " while starved");
    }
}
