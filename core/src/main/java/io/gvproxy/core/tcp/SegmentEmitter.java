package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * Builds every outgoing segment of a connection in one reused {@link TcpSegment}: fills ACK, window,
 * timestamps and SACK blocks from the connection's state, hands it to the sink and tells the receiver an ACK
 * went out (which cancels a pending delayed ACK).
 */
final class SegmentEmitter {
    private final TcpConnection c;
    private final SegmentSink sink;
    private final TcpSegment out = new TcpSegment();
    long segmentsSent;

    SegmentEmitter(TcpConnection c, SegmentSink sink) {
        this.c = c;
        this.sink = sink;
    }

    /** A data, FIN or pure ACK segment in a synchronized state. */
    void data(int flags, int seq, MemorySegment src, long offset, int len) {
        out.clear().flags(flags).seq(seq).ack(c.receiver.ackSeq());
        out.window(c.receiver.windowFieldForSend());
        if (c.tsOk) {
            out.timestamps(c.tsClock(), c.tsRecent);
        }
        if (c.sackOk && c.receiver.hasSackBlocks()) {
            c.receiver.addSackBlocks(out, c.tsOk ? 3 : 4);
        }
        if (len > 0) {
            out.payload(src, offset, len);
        }
        transmit();
        c.receiver.onAckSent();
    }

    /**
     * A pure ACK. Its sequence number is the highest ever sent, not SND.NXT rewound by a timeout: the peer may
     * already have everything below it and would discard an ACK that looks old.
     */
    void ack() {
        data(TcpFlags.ACK, c.sender.seqOf(c.sender.max), null, 0, 0);
    }

    /** A segment with an old sequence number that any receiver answers with an ACK: zero-window or keepalive probe. */
    void probe() {
        data(TcpFlags.ACK, c.sender.seqOf(c.sender.una - 1), null, 0, 0);
    }

    /** Our SYN (active open) or SYN-ACK, with the options we offer or accepted. */
    void syn(boolean withAck) {
        out.clear().flags(TcpFlags.SYN | (withAck ? TcpFlags.ACK : 0)).seq(c.sender.iss);
        out.mss(c.config.mss);
        boolean offering = !withAck;
        if (offering ? c.config.windowScaling : c.wsOk) {
            out.windowScale(c.config.receiveWindowShift());
        }
        if (offering ? c.config.sack : c.sackOk) {
            out.sackPermitted(true);
        }
        if (offering ? c.config.timestamps : c.tsOk) {
            out.timestamps(c.tsClock(), withAck ? c.tsRecent : 0);
        }
        if (withAck) {
            out.ack(c.receiver.ackSeq());
            out.window(c.receiver.synWindow());
        } else {
            out.window(c.receiver.synWindow());
        }
        transmit();
    }

    /** RST for the current connection (abort or timeout), at the highest sequence number sent. */
    void reset() {
        out.clear().flags(TcpFlags.RST | TcpFlags.ACK).seq(c.sender.seqOf(c.sender.max))
                .ack(c.receiver.ackSeq());
        transmit();
    }

    /** RFC 9293 reset generation for a segment that belongs to no synchronized connection. */
    void resetFor(TcpSegment seg) {
        if (ResetReply.fill(seg, out)) {
            transmit();
        }
    }

    private void transmit() {
        segmentsSent++;
        c.counters.segmentsOut.increment();
        if (out.rst()) {
            c.counters.resetsSent.increment();
        }
        sink.transmit(out);
    }
}
