package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpBufferBudgetTest {
    /** The most one connection may hold beyond the budget: a receive floor and a send floor with its mirror. */
    private static final long FLOORS_PER_CONNECTION = 3L * ByteRing.FLOOR;

    private static TcpConfig config(TcpBufferBudget budget) {
        return TcpConfig.builder().receiveBufferBytes(4 << 20).sendBufferBytes(1 << 20).bufferBudget(budget).build();
    }

    @Test
    void manyConnectionsWithFullRingsStayWithinTheBudget() {
        TcpBufferBudget budget = new TcpBufferBudget(1 << 20);
        List<WindowedPeer> peers = new ArrayList<>();
        int connections = 24;
        for (int i = 0; i < connections; i++) {
            WindowedPeer p = new WindowedPeer(config(budget), bytes(2 << 20, i));
            peers.add(p);
            p.pump(false, 5_000);
            // the application also fills its send buffer towards a peer that acknowledges nothing
            p.t.conn.write(new byte[1 << 20], 0, 1 << 20, p.t.now);
            assertTrue(budget.usedBytes() <= budget.limitBytes() + (i + 1) * FLOORS_PER_CONNECTION,
                    "used " + budget.usedBytes() + " after " + (i + 1) + " connections");
        }
        for (WindowedPeer p : peers) {
            assertTrue(p.sent > 0 && p.t.conn.readable() == p.sent, "every connection took some data: " + p.sent);
        }
        for (WindowedPeer p : peers) {
            p.t.conn.abort(p.t.now);
        }
        assertEquals(0, budget.usedBytes(), "every grant went back at close");
    }

    @Test
    void aStarvedConnectionCompletesAndGrowsOnceTheOthersDrain() {
        TcpBufferBudget budget = new TcpBufferBudget(512 << 10);
        WindowedPeer hog = new WindowedPeer(config(budget), bytes(1 << 20, 1));
        hog.pump(false, 5_000);
        assertTrue(hog.sent >= 256 << 10, "the hog's window grew into the budget: " + hog.sent);

        byte[] data = bytes(2 << 20, 2);
        WindowedPeer starved = new WindowedPeer(config(budget), data);
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
