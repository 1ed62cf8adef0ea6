package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TcpRttTest {
    @Test
    void timestampsGiveAnRttSampleForEveryAck() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(t.fullSyn());
        t.write(bytes(100, 1));
        SentSegment d = t.next();
        t.advance(50 * MS);
        t.send(t.peer(0, 100, 0).timestamps(++t.peerTs, d.tsVal()));
        assertEquals(50 * MS, t.conn.smoothedRttNanos());
        assertEquals(200 * MS, t.conn.retransmitTimeoutNanos(), "50 + 4 * 25 ms, raised to the 200 ms floor");
        t.write(bytes(100, 2));
        d = t.next();
        t.advance(30 * MS);
        t.send(t.peer(0, 200, 0).timestamps(++t.peerTs, d.tsVal()));
        assertEquals(47_500_000L, t.conn.smoothedRttNanos(), "7/8 * 50 + 1/8 * 30");
    }

    @Test
    void withoutTimestampsKarnIgnoresRetransmittedSegments() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(TcpTestContext.bareSyn());
        assertEquals(0, t.conn.smoothedRttNanos(), "the handshake was answered at once");
        t.write(bytes(100, 1));
        t.next();
        t.fireNextTimer();
        t.next();
        t.advance(10 * MS);
        t.send(t.peer(0, 100, 0));
        assertEquals(0, t.conn.smoothedRttNanos(), "ambiguous: sent twice");
        t.write(bytes(100, 2));
        t.next();
        t.advance(80 * MS);
        t.send(t.peer(0, 200, 0));
        assertEquals(10 * MS, t.conn.smoothedRttNanos(), "7/8 * 0 + 1/8 * 80");
    }
}
