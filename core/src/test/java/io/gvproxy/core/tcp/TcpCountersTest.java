package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.withData;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TcpCountersTest {
    @Test
    void everyDropReasonHasItsOwnCounter() {
        TcpTestContext t = new TcpTestContext(TcpConfig.builder().receiveBufferBytes(4000)
                .maxOutOfOrderRanges(1).build());
        t.establishPassive(t.fullSyn());
        t.send(withData(t.peer(0, 0, 0), bytes(10, 1)).timestamps(t.peerTs - 10, 0));
        assertEquals(1, t.counter("drop.paws"));
        t.send(withData(t.peer(90_000, 0, 0), bytes(10, 1)));
        assertEquals(1, t.counter("drop.out_of_window"));
        t.send(t.peer(0, 9_999, 0));
        assertEquals(1, t.counter("drop.ack_unsent"));
        t.send(new TcpSegment().seq(TcpTestContext.peers(0)).window(100));
        assertEquals(1, t.counter("drop.invalid_for_state"));
        t.send(withData(t.peer(1000, 0, 0), bytes(10, 1)));
        t.send(withData(t.peer(2000, 0, 0), bytes(10, 1)));
        assertEquals(1, t.counter("drop.out_of_order_full"));
        t.send(withData(t.peer(3900, 0, 0), bytes(200, 1)));
        assertEquals(100, t.counter("drop.beyond_window_bytes"));
        t.send(t.peer(5, 0, TcpFlags.RST));
        assertEquals(1, t.counter("challenge_acks"));
        t.conn.abort(t.now);
        assertEquals(1, t.counter("resets_sent"));
        assertEquals(t.conn.segmentsSent(), t.counter("segments_out"));
        assertEquals(10, t.counter("segments_in"), "handshake SYN and ACK plus eight");
    }

    @Test
    void retransmissionsAreCounted() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(TcpTestContext.bareSyn());
        t.write(bytes(100, 2));
        t.fireNextTimer();
        t.fireNextTimer();
        assertEquals(2, t.counter("retransmit_timeouts"));
        assertEquals(2, t.counter("retransmitted_segments"));
    }
}
