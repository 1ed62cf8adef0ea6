package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.peers;
import static io.gvproxy.core.tcp.TcpTestContext.withData;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A scripted peer (window scale 7, from {@link TcpTestContext#fullSyn()}) that sends {@code data} in 1448-byte
 * segments only as far as our advertised window allows, as a real sender does; our application reads what
 * arrives when asked to.
 */
final class WindowedPeer {
    static final int MSS = 1448;
    final TcpTestContext t;
    final byte[] data;
    final ByteArrayOutputStream read = new ByteArrayOutputStream();
    int sent;
    /** The right edge of our window as the peer last heard it, in data offsets. */
    long edge = 0xFFFF;
    long largestWindow;
    SentSegment lastAck;

    WindowedPeer(TcpConfig config, byte[] data) {
        this.t = new TcpTestContext(config);
        t.establishPassive(t.fullSyn());
        this.data = data;
    }

    int pump(boolean appReads, int maxRounds) {
        return pump(appReads, maxRounds, data.length);
    }

    /**
     * Sends up to offset {@code upTo}, letting delayed ACKs fire while the window is closed; stops early when the
     * window stays closed. Returns the bytes sent so far.
     */
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
                read.writeBytes(t.readAll());
            }
            SentSegment last = t.out.peekLast();
            t.out.clear();
            if (last != null) {
                lastAck = last;
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
