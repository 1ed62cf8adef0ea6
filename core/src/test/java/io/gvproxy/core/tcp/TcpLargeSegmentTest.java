package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.bytes;
import static io.gvproxy.core.tcp.TcpTestContext.withData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Segments larger than the MSS, as a guest's TSO super-frame arrives when the link negotiated them. */
class TcpLargeSegmentTest {
    private static final byte[] STREAM = bytes(200_000, 11);

    @Test
    void segmentsLargerThanTheMssAreTakenWholeWhenTheyFitTheWindow() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(t.fullSyn());
        // within the SYN-ACK's unscaled 64 KiB window; two such segments count as two full-sized ones
        sendSlice(t, 0, 30_000);
        sendSlice(t, 30_000, 60_000);
        t.expectAck(60_000);
        assertArrayEquals(Arrays.copyOfRange(STREAM, 0, 60_000), t.readAll());
        // read, the receive window (autotuned from 64 KiB) takes one 64,000-byte segment whole
        sendSlice(t, 60_000, 124_000);
        t.advance(40 * MS);
        t.expectAck(124_000);
        assertArrayEquals(Arrays.copyOfRange(STREAM, 60_000, 124_000), t.readAll());
        assertEquals(0, t.counter("drop.beyond_window_bytes"));
    }

    private static void sendSlice(TcpTestContext t, int from, int to) {
        t.send(withData(t.peer(from, 0, 0), Arrays.copyOfRange(STREAM, from, to)));
    }

    @Test
    void aLoneLargeSegmentIsAcknowledgedByTheDelayedAck() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(t.fullSyn());
        t.send(withData(t.peer(0, 0, 0), Arrays.copyOfRange(STREAM, 0, 65_000)));
        t.expectNothing();
        t.advance(40 * MS);
        t.expectAck(65_000);
        assertArrayEquals(Arrays.copyOfRange(STREAM, 0, 65_000), t.readAll());
    }

    @Test
    void theBytesBeyondTheWindowAreCutAndCounted() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(TcpTestContext.bareSyn());
        int window = 65_535;
        t.send(withData(t.peer(0, 0, 0), Arrays.copyOfRange(STREAM, 0, 70_000)));
        t.expectAck(window);
        assertArrayEquals(Arrays.copyOfRange(STREAM, 0, window), t.readAll());
        assertEquals(70_000 - window, t.counter("drop.beyond_window_bytes"));
    }
}
