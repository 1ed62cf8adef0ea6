package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One TCP connection: the RFC 9293 state machine with RFC 7323 (window scale, timestamps, PAWS), RFC 2018 /
 * RFC 6675 (SACK), RFC 5681 / 6582 / 9438 (congestion control), RFC 6298 (RTO) and RFC 5961 (challenge ACKs).
 *
 * <p>Free of I/O, threads and clocks: the owner feeds {@link #input(TcpSegment, long)} and
 * {@link #onTimer(long)} with its own time, calls the application methods, and receives segments through a
 * {@link SegmentSink} and notifications through {@link TcpEvents}. Not thread-safe: one owner thread per
 * connection. Events are delivered at the end of the engine call that caused them.
 *
 * <p>Segment processing: {@link SegmentArrival}; send side: {@link TcpSender}; receive side:
 * {@link TcpReceiver}; segment construction: {@link SegmentEmitter}. This class holds the application calls,
 * closing, and timer dispatch.
 */
public final class TcpConnection {
    private static final int MIN_PMTU_MSS = 552 - 40;
    private static final int TIMESTAMP_OPTION_BYTES = 12;
    final TcpConfig config;
    final TcpTimers timers = new TcpTimers();
    final TcpSender sender;
    final TcpReceiver receiver;
    final SegmentEmitter emitter;
    final EventDispatcher events;
    final TcpCounters counters;
    private final SegmentArrival arrival;
    TcpState state = TcpState.CLOSED;
    long now;
    /** Set by the owner around the input of a burst: see {@link #coalesceAcks(boolean)}. */
    boolean coalesceAcks;
    boolean wsOk;
    boolean sackOk;
    boolean tsOk;
    int tsRecent;
    boolean closeCalled;
    private final int tsOffset;
    private boolean everOpened;
    private int keepaliveProbesSent;

    /**
     * @param iss our initial sequence number (see {@link IsnGenerator})
     */
    public TcpConnection(TcpConfig config, int iss, SegmentSink sink, TcpEvents events) {
        this(config, iss, sink, events, TcpCounters.unregistered());
    }

    /** As above, counting drops, retransmissions and resets in {@code counters} (shared by many connections). */
    public TcpConnection(TcpConfig config, int iss, SegmentSink sink, TcpEvents events, TcpCounters counters) {
        this.config = Objects.requireNonNull(config);
        this.counters = Objects.requireNonNull(counters);
        this.events = new EventDispatcher(events);
        this.arrival = new SegmentArrival(this);
        this.sender = new TcpSender(this, config);
        this.receiver = new TcpReceiver(this, config);
        this.emitter = new SegmentEmitter(this, Objects.requireNonNull(sink));
        this.sender.iss = iss;
        // a per-connection timestamp offset hides our uptime (RFC 7323 section 7.1)
        this.tsOffset = Integer.rotateLeft(iss, 13) ^ 0x5bd1e995;
    }

    // ---------------------------------------------------------------- opening

    /** Active open: sends a SYN. */
    public void connect(long nowNanos) {
        requireFresh();
        now = nowNanos;
        state = TcpState.SYN_SENT;
        sendSynAndArm();
        events.dispatch();
    }

    /** Passive open: waits for a SYN (feed it with {@link #input}). */
    public void listen() {
        requireFresh();
        state = TcpState.LISTEN;
    }

    private void requireFresh() {
        if (everOpened) {
            throw new IllegalStateException("connection already used");
        }
        everOpened = true;
    }

    void sendSynAndArm() {
        if (sender.max == 0) {
            sender.nxt = sender.max = 1;
            sender.timing = true;
            sender.timedPos = 0;
            sender.timedAt = now;
        }
        emitter.syn(state == TcpState.SYN_RECEIVED);
        timers.retransmit = now + sender.rtt.rto();
    }

    // ---------------------------------------------------------------- input

    /** Processes one segment addressed to this connection. The segment is lent for the call. */
    public void input(TcpSegment seg, long nowNanos) {
        now = nowNanos;
        counters.segmentsIn.increment();
        arrival.process(seg);
        flush();
        events.dispatch();
    }

    /** Any acceptable segment with an ACK shows the peer is alive. */
    void onPeerHeard() {
        keepaliveProbesSent = 0;
        armKeepalive();
    }

    void onFinAckedInFinWait1() {
        state = TcpState.FIN_WAIT_2;
        if (closeCalled) {
            timers.linger = now + config.finWait2TimeoutNanos;
        }
        armKeepalive();
    }

    /** Receiver callback: the peer's FIN was consumed in order. */
    void onPeerFin() {
        events.peerFin();
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (sender.finAcked()) {
                    enterTimeWait();
                } else {
                    state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> enterTimeWait();
            default -> {
            }
        }
    }

    void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        timers.clearAll();
        sender.discardBuffer();
        timers.linger = now + config.timeWaitNanos;
    }

    void signalReadable() {
        events.readable();
    }

    void signalWritable() {
        events.writable();
    }

    int tsClock() {
        return (int) Math.floorDiv(now, 1_000_000L) + tsOffset;
    }

    // ---------------------------------------------------------------- application side

    /**
     * Queues {@code length} bytes of {@code src} from {@code offset} for sending; returns how many fit in the send
     * buffer (0 when full: wait for {@link TcpEvents#onWritable()}). Bytes are copied; nothing is kept of
     * {@code src}. Throws once the send side is shut down or the connection is closed.
     */
    public int write(MemorySegment src, long offset, int length, long nowNanos) {
        now = nowNanos;
        if (sender.finQueued || state == TcpState.CLOSED || state == TcpState.LISTEN) {
            throw new IllegalStateException("send side closed: " + state);
        }
        Objects.checkFromIndexSize(offset, length, src.byteSize());
        int n = sender.write(src, offset, length);
        flush();
        events.dispatch();
        return n;
    }

    public int write(MemorySegment src, long nowNanos) {
        return write(src, 0, (int) Math.min(src.byteSize(), Integer.MAX_VALUE), nowNanos);
    }

    public int write(byte[] src, int offset, int length, long nowNanos) {
        return write(MemorySegment.ofArray(src), offset, length, nowNanos);
    }

    /**
     * Copies up to {@code length} received bytes into {@code dst} at {@code offset}; returns the count, 0 when
     * nothing is available yet, or -1 at end of stream (the peer's FIN was reached) or after a reset.
     */
    public int read(MemorySegment dst, long offset, int length, long nowNanos) {
        now = nowNanos;
        Objects.checkFromIndexSize(offset, length, dst.byteSize());
        int n = receiver.read(dst, offset, length);
        if (n == 0) {
            return receiver.finReceived || state == TcpState.CLOSED ? -1 : 0;
        }
        if (state != TcpState.CLOSED && state.synchronizedState() && receiver.windowUpdateDue()) {
            receiver.ackNow = true;
        }
        flush();
        events.dispatch();
        return n;
    }

    public int read(MemorySegment dst, long nowNanos) {
        return read(dst, 0, (int) Math.min(dst.byteSize(), Integer.MAX_VALUE), nowNanos);
    }

    public int read(byte[] dst, int offset, int length, long nowNanos) {
        return read(MemorySegment.ofArray(dst), offset, length, nowNanos);
    }

    /** Half-close: a FIN follows the buffered data; receiving continues. */
    public void shutdownOutput(long nowNanos) {
        now = nowNanos;
        if (sender.finQueued) {
            return;
        }
        switch (state) {
            case SYN_SENT, SYN_RECEIVED -> sender.finQueued = true;
            case ESTABLISHED -> {
                sender.finQueued = true;
                state = TcpState.FIN_WAIT_1;
            }
            case CLOSE_WAIT -> {
                sender.finQueued = true;
                state = TcpState.LAST_ACK;
            }
            default -> {
                return;
            }
        }
        flush();
        events.dispatch();
    }

    /**
     * Full close: the application neither writes nor reads any more. Unread received data makes it an abort
     * (RFC 2525); otherwise a FIN follows the buffered data, and data arriving later resets the connection.
     */
    public void close(long nowNanos) {
        now = nowNanos;
        switch (state) {
            case CLOSED, TIME_WAIT -> {
                return;
            }
            case LISTEN, SYN_SENT -> {
                toClosed();
                events.dispatch();
                return;
            }
            default -> {
            }
        }
        if (receiver.readable() > 0) {
            abort(nowNanos);
            return;
        }
        closeCalled = true;
        if (state == TcpState.FIN_WAIT_2) {
            timers.linger = now + config.finWait2TimeoutNanos;
        }
        shutdownOutput(nowNanos);
        events.dispatch();
    }

    /** Drops the connection at once, telling the peer with a RST when it knows us. */
    public void abort(long nowNanos) {
        now = nowNanos;
        if (state == TcpState.CLOSED) {
            return;
        }
        if (state.synchronizedState() || state == TcpState.SYN_RECEIVED) {
            if (state != TcpState.TIME_WAIT) {
                emitter.reset();
            }
        }
        receiver.discardBuffer();
        toClosed();
        events.dispatch();
    }

    /**
     * While on, an ACK that in-order data makes due (every second full segment) is not sent by {@link #input}; the
     * owner sends it with {@link #flushCoalescedAck} once the burst of segments it is feeding has ended, so a
     * burst costs one ACK. Out-of-order data, duplicates, holes filled, FINs and window updates are ACKed at once
     * as always, and the delayed-ACK timer bounds the wait if no flush comes.
     */
    public void coalesceAcks(boolean on) {
        coalesceAcks = on;
    }

    /** Whether an ACK is waiting for {@link #flushCoalescedAck}. */
    public boolean coalescedAckPending() {
        return receiver.ackDeferred;
    }

    /** Sends the ACK that coalescing held back, if any is still due. */
    public void flushCoalescedAck(long nowNanos) {
        now = nowNanos;
        if (!receiver.ackDeferred) {
            return;
        }
        receiver.ackDeferred = false;
        if (state.synchronizedState()) {
            receiver.ackNow = true;
            flush();
            events.dispatch();
        }
    }

    // ---------------------------------------------------------------- timers

    /** The earliest time {@link #onTimer(long)} has work, or {@link Long#MAX_VALUE} for none. */
    public long nextTimerDeadline() {
        return timers.earliest();
    }

    /** Runs every timer whose deadline is at or before {@code nowNanos}. */
    public void onTimer(long nowNanos) {
        now = nowNanos;
        if (timers.linger <= now) {
            timers.linger = TcpTimers.NONE;
            if (state == TcpState.TIME_WAIT) {
                toClosed();
            } else if (state == TcpState.FIN_WAIT_2) {
                emitter.reset();
                fail(TcpError.TIMED_OUT, false);
            }
        }
        if (timers.retransmit <= now && state != TcpState.CLOSED) {
            timers.retransmit = TcpTimers.NONE;
            onRetransmitTimer();
        }
        if (timers.persist <= now && state != TcpState.CLOSED) {
            if (!sender.onPersistTimeout()) {
                fail(TcpError.TIMED_OUT, true);
            }
        }
        if (timers.keepalive <= now && state != TcpState.CLOSED) {
            timers.keepalive = TcpTimers.NONE;
            onKeepaliveTimer();
        }
        if (timers.delayedAck <= now && state != TcpState.CLOSED) {
            timers.delayedAck = TcpTimers.NONE;
            receiver.ackNow = true;
        }
        flush();
        events.dispatch();
    }

    private void onRetransmitTimer() {
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            sender.synRetries++;
            sender.timeouts++;
            counters.retransmitTimeouts.increment();
            if (sender.synRetries > config.maxSynRetransmits) {
                fail(TcpError.TIMED_OUT, state == TcpState.SYN_RECEIVED);
                return;
            }
            sender.timing = false;
            sender.rtt.backoff();
            sendSynAndArm();
            return;
        }
        if (!sender.onRetransmitTimeout()) {
            fail(TcpError.TIMED_OUT, true);
        }
    }

    /** Keepalive covers every state where we wait on a peer that may have vanished, half-closed ones included. */
    private boolean keepaliveApplies() {
        return config.keepalive && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
                || state == TcpState.FIN_WAIT_2);
    }

    void armKeepalive() {
        if (keepaliveApplies()) {
            timers.keepalive = now + config.keepaliveIdleNanos;
        }
    }

    private void onKeepaliveTimer() {
        if (!keepaliveApplies()) {
            return;
        }
        if (sender.outstanding() || sender.hasUnsent()) {
            // the retransmission and persist timers already watch the peer
            timers.keepalive = now + config.keepaliveIdleNanos;
            return;
        }
        if (keepaliveProbesSent >= config.keepaliveProbes) {
            fail(TcpError.TIMED_OUT, true);
            return;
        }
        keepaliveProbesSent++;
        emitter.probe();
        timers.keepalive = now + config.keepaliveIntervalNanos;
    }

    // ---------------------------------------------------------------- plumbing

    private void flush() {
        switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> sender.output(false);
            default -> {
            }
        }
        if (receiver.ackNow && state != TcpState.CLOSED && state != TcpState.LISTEN
                && state != TcpState.SYN_SENT) {
            if (state == TcpState.SYN_RECEIVED) {
                emitter.syn(true);
                receiver.ackNow = false;
            } else {
                emitter.ack();
            }
        }
    }

    void fail(TcpError error, boolean sendReset) {
        if (sendReset && (state.synchronizedState() || state == TcpState.SYN_RECEIVED)) {
            emitter.reset();
        }
        events.error(error);
        receiver.discardBuffer();
        toClosed();
    }

    void toClosed() {
        state = TcpState.CLOSED;
        timers.clearAll();
        sender.discardBuffer();
        receiver.finishBuffer();
        receiver.ackNow = false;
        events.closed();
    }

    /**
     * Path MTU discovery (RFC 1191): an ICMP "fragmentation needed" showed that segments of more than
     * {@code maxSegmentBytes} (IP MTU minus 40) do not get through. Lowers the send MSS, never raises it; like
     * Linux's 552-byte minimum path MTU, a forged tiny MTU cannot shrink segments below 512 bytes before options.
     * Later segments and retransmissions use the smaller size.
     */
    public void lowerSendMss(int maxSegmentBytes) {
        int payload = Math.max(maxSegmentBytes, MIN_PMTU_MSS) - (tsOk ? TIMESTAMP_OPTION_BYTES : 0);
        sender.smss = Math.min(sender.smss, payload);
    }

    // ---------------------------------------------------------------- observation

    public TcpState state() {
        return state;
    }

    /**
     * Whether {@code syn}, arriving for this connection's 4-tuple while it lingers in TIME-WAIT, may start a new
     * connection (RFC 6191: its timestamp, or else its sequence number, is newer than anything seen). The owner
     * then {@link #abort}s this one, which sends nothing from TIME-WAIT, and hands the SYN to a new connection.
     */
    public boolean timeWaitAcceptsNewSyn(TcpSegment syn) {
        if (state != TcpState.TIME_WAIT || !syn.syn() || syn.ackFlag() || syn.rst()) {
            return false;
        }
        if (tsOk && syn.hasTimestamps()) {
            return Seq.gt(syn.tsVal(), tsRecent);
        }
        return Seq.gt(syn.seq(), receiver.ackSeq());
    }

    /** Bytes {@link #read} can return now. */
    public int readable() {
        return receiver.readable();
    }

    /** Free space in the send buffer. */
    public int writable() {
        return sender.free();
    }

    /** Effective send MSS: payload bytes per full segment after options. */
    public int sendMss() {
        return sender.smss;
    }

    /**
     * Lets new data segments carry up to {@code maxPayloadBytes} (whole MSS multiples) when the window and the
     * congestion window allow, for a peer behind a link that cuts them into MSS-sized segments itself; 0 turns it
     * off. Retransmissions and probes stay one MSS.
     */
    public void allowLargeSegments(int maxPayloadBytes) {
        sender.largeSegmentBytes = Math.max(0, maxPayloadBytes);
    }

    public boolean windowScaleNegotiated() {
        return wsOk;
    }

    public boolean sackNegotiated() {
        return sackOk;
    }

    public boolean timestampsNegotiated() {
        return tsOk;
    }

    public long congestionWindow() {
        return sender.cc == null ? 0 : sender.cc.cwnd();
    }

    public long slowStartThreshold() {
        return sender.cc == null ? Long.MAX_VALUE : sender.cc.ssthresh();
    }

    /** Current retransmission timeout including backoff. */
    public long retransmitTimeoutNanos() {
        return sender.rtt.rto();
    }

    public long smoothedRttNanos() {
        return sender.rtt.srtt();
    }

    public long segmentsSent() {
        return emitter.segmentsSent;
    }

    public long retransmittedSegments() {
        return sender.retransmittedSegments;
    }

    public long fastRetransmits() {
        return sender.recovery == null ? 0 : sender.recovery.fastRetransmits;
    }

    public long retransmitTimeouts() {
        return sender.timeouts;
    }

    public long outOfOrderDropped() {
        return receiver.outOfOrderDropped;
    }

    public long challengeAcksSent() {
        return arrival.challengeAcksSent;
    }

    @Override
    public String toString() {
        return "TcpConnection[" + state + " una=" + sender.una + " nxt=" + sender.nxt + " max=" + sender.max
                + " wnd=" + sender.wnd + " cwnd=" + congestionWindow()
                + (sender.recovery != null && sender.recovery.active ? " recovering" : "")
                + " rcv=" + receiver.next() + " rwnd=" + receiver.window()
                + "]";
    }
}
