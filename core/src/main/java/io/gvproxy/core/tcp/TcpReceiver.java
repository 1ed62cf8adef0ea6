package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * The receive side of a connection: RCV.NXT, the receive buffer with its out-of-order ranges, the advertised
 * window (never shrunk, moved with receiver SWS avoidance, so it closes when the application does not read),
 * trimming of duplicate and overlapping data, the ACK policy (delayed ACK, ACK every second full-size segment,
 * immediate ACK for out-of-order data) and SACK block generation.
 *
 * <p>Positions are 64-bit offsets in the peer's sequence space counted from its ISN (position 0 is the SYN,
 * data offset k is position k + 1).
 */
final class TcpReceiver {
    private final TcpConnection c;
    private final ReceiveBuffer buf;
    int irs;
    int shift;
    /** Right edge of the window we advertised: the peer may send up to here. */
    long advRight;
    boolean finReceived;
    /** Position of a FIN that arrived ahead of missing data, or -1. */
    long pendingFin = -1;
    boolean ackNow;
    /** While coalescing, an ACK still goes out once this many full segments are unacknowledged. */
    static final int COALESCED_ACK_SEGMENTS = 4;
    /** An ACK is due by the every-second-segment rule but waits for the end of the input burst (coalescing). */
    boolean ackDeferred;
    long unackedBytes;
    int largestSegment;
    long lastAckSent;
    long outOfOrderDropped;
    /** A duplicate range to report once as the first SACK block (RFC 2883 D-SACK), or start == end. */
    private long dsackStart;
    private long dsackEnd;

    TcpReceiver(TcpConnection c, TcpConfig config) {
        this.c = c;
        this.buf = new ReceiveBuffer(config.receiveBufferBytes, config.maxOutOfOrderRanges, config.bufferBudget);
    }

    /** Called once the peer's SYN is known; {@code synWindow} is the unscaled window our SYN carries. */
    void init(int irs, int shift) {
        this.irs = irs;
        this.shift = shift;
        this.advRight = 1 + synWindow();
        this.lastAckSent = 1;
    }

    int synWindow() {
        return Math.min(buf.free(), 0xFFFF);
    }

    long next() {
        return 1 + buf.next() + (finReceived ? 1 : 0);
    }

    int ackSeq() {
        return (int) (irs + next());
    }

    long widen(int seq) {
        long n = next();
        return Seq.widen(seq, n, (int) (irs + n));
    }

    long window() {
        return Math.max(0, advRight - next());
    }

    int readable() {
        return buf.readable();
    }

    boolean hasSackBlocks() {
        return dsackEnd > dsackStart || !buf.outOfOrder().isEmpty();
    }

    /** Payload [start, end) arrived again; the peer learns of it through a D-SACK block. */
    void noteDuplicate(long start, long end) {
        if (end > start) {
            dsackStart = start;
            dsackEnd = end;
            ackNow = true;
        }
    }

    int read(MemorySegment dst, long offset, int len) {
        return buf.read(dst, offset, len);
    }

    private int swsThreshold() {
        return Math.max(1, Math.min(buf.capacity() / 2, c.config.mss));
    }

    private long potentialRight() {
        long n = next();
        long max = (long) 0xFFFF << shift;
        return n + Math.min(buf.free(), max);
    }

    /** Whether reading opened the window enough that the peer should hear about it now. */
    boolean windowUpdateDue() {
        if (finReceived) {
            return false;
        }
        long n = next();
        long current = Math.max(0, advRight - n);
        long potential = potentialRight();
        return potential - advRight >= swsThreshold() && potential - n >= 2 * current;
    }

    /** The window field of the next non-SYN segment; also moves the advertised right edge. */
    int windowFieldForSend() {
        long n = next();
        long potential = potentialRight();
        long right = potential - advRight >= swsThreshold() ? potential : advRight;
        long wnd = Math.max(0, right - n);
        int field = (int) Math.min(wnd >> shift, 0xFFFF);
        advRight = Math.max(advRight, n + ((long) field << shift));
        return field;
    }

    void onAckSent() {
        lastAckSent = next();
        ackNow = false;
        ackDeferred = false;
        unackedBytes = 0;
        c.timers.delayedAck = TcpTimers.NONE;
    }

    /**
     * Takes the payload and FIN of an acceptable segment whose first payload byte is at {@code dataPos}.
     * Returns the number of payload bytes that were not already received (0 for pure duplicates).
     */
    int accept(TcpSegment seg, long dataPos, boolean zeroWindowDrop) {
        if (finReceived) {
            return 0;
        }
        int len = seg.payloadLength();
        long srcOffset = seg.payloadOffset();
        boolean fin = seg.fin();
        long n = next();
        if (dataPos < n) {
            long skip = Math.min(len, n - dataPos);
            if (c.sackOk) {
                noteDuplicate(dataPos, dataPos + skip);
            }
            dataPos += skip;
            srcOffset += skip;
            len -= (int) skip;
            if (dataPos < n) {
                fin = false;
            }
        }
        long right = pendingFin >= 0 ? Math.min(advRight, pendingFin) : advRight;
        if (zeroWindowDrop) {
            right = n;
        }
        if (dataPos + len > right) {
            int cut = (int) Math.min(len, dataPos + len - right);
            c.counters.dropBeyondWindowBytes.add(cut);
            len = (int) Math.max(0, right - dataPos);
            fin = false;
            ackNow = true;
        }
        if (len > 0) {
            largestSegment = Math.max(largestSegment, len);
            long advanced = buf.store(dataPos - 1, seg.payloadSource(), srcOffset, len);
            if (advRight - (dataPos + len) < Math.max(largestSegment, 1 << shift)) {
                // the peer used the window up to its last segment (the edge it sees is rounded to 2^shift)
                buf.widen();
            }
            if (advanced < 0) {
                outOfOrderDropped++;
                c.counters.dropOutOfOrderFull.increment();
                ackNow = true;
            } else if (dataPos > n) {
                ackNow = true;
            } else {
                c.signalReadable();
                if (advanced > len) {
                    // a hole was filled: tell the sender at once (RFC 5681 section 4.2)
                    ackNow = true;
                } else {
                    scheduleAck(advanced);
                }
            }
        } else if (seg.payloadLength() > 0) {
            // duplicate data: the peer may have missed our ACK
            ackNow = true;
        }
        if (fin) {
            long finPos = dataPos + len;
            if (finPos == next()) {
                consumeFin();
            } else if (finPos > next()) {
                pendingFin = finPos;
            }
        } else if (pendingFin >= 0 && pendingFin == next()) {
            consumeFin();
        }
        return Math.max(len, 0);
    }

    private void scheduleAck(long bytes) {
        unackedBytes += bytes;
        if (c.config.delayedAckNanos == 0) {
            ackNow = true;
        } else if (unackedBytes >= 2L * largestSegment && (!c.coalesceAcks
                || unackedBytes >= (long) COALESCED_ACK_SEGMENTS * largestSegment)) {
            ackNow = true;
        } else if (unackedBytes >= 2L * largestSegment) {
            // One ACK for the burst, as a GRO receiver sends, but at least every COALESCED_ACK_SEGMENTS: ACKs for
            // whole 64-frame bursts made the guest's sender burst into its tap queue and lose segments there. The
            // delayed-ACK timer still bounds the wait.
            ackDeferred = true;
            if (c.timers.delayedAck == TcpTimers.NONE) {
                c.timers.delayedAck = c.now + c.config.delayedAckNanos;
            }
        } else if (c.timers.delayedAck == TcpTimers.NONE) {
            c.timers.delayedAck = c.now + c.config.delayedAckNanos;
        }
    }

    /** No more data will be stored: the buffer's grant goes back once the application has read it all. */
    void finishBuffer() {
        buf.finish();
    }

    /** The connection was aborted or reset: unread bytes are dropped with the buffer's grant. */
    void discardBuffer() {
        buf.discard();
    }

    private void consumeFin() {
        finReceived = true;
        pendingFin = -1;
        buf.finish();
        ackNow = true;
        c.onPeerFin();
    }

    /** Writes up to {@code max} SACK blocks, most recently changed range first (RFC 2018 section 4). */
    void addSackBlocks(TcpSegment out, int max) {
        if (dsackEnd > dsackStart) {
            out.addSackBlock((int) (irs + dsackStart), (int) (irs + dsackEnd));
            dsackStart = dsackEnd;
            max--;
        }
        OutOfOrderRanges r = buf.outOfOrder();
        int n = Math.min(max, r.count());
        for (int k = 0; k < n; k++) {
            int i = r.byRecency(k);
            out.addSackBlock((int) (irs + 1 + r.start(i)), (int) (irs + 1 + r.end(i)));
        }
    }
}
