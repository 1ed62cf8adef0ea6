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
 * <p>Send side: {@link TcpSender}; receive side: {@link TcpReceiver}; segment construction:
 * {@link SegmentEmitter}. This class holds the handshake, acceptability checks, RST/SYN handling, closing and
 * timer dispatch.
 */
public final class TcpConnection {
    private static final int DEFAULT_MSS = 536;
    private static final int MIN_PEER_MSS = 48;
    private static final int TIMESTAMP_OPTION_BYTES = 12;
    private static final long TS_RECENT_VALID_NANOS = 24L * 24 * 3600 * 1_000_000_000L;

    final TcpConfig config;
    final TcpTimers timers = new TcpTimers();
    final TcpSender sender;
    final TcpReceiver receiver;
    final SegmentEmitter emitter;
    private final TcpEvents events;
    TcpState state = TcpState.CLOSED;
    long now;
    boolean wsOk;
    boolean sackOk;
    boolean tsOk;
    int tsRecent;
    private long tsRecentAt;
    private final int tsOffset;
    private boolean closeCalled;
    private boolean everOpened;
    private int keepaliveProbesSent;
    private long challengeWindowStart = Long.MIN_VALUE;
    private int challengeAcksInWindow;
    private long challengeAcksSent;

    private static final int EV_CONNECTED = 1;
    private static final int EV_READABLE = 2;
    private static final int EV_WRITABLE = 4;
    private static final int EV_PEER_FIN = 8;
    private static final int EV_ERROR = 16;
    private static final int EV_CLOSED = 32;
    private int pendingEvents;
    private TcpError pendingError;
    private boolean dispatching;

    /**
     * @param iss our initial sequence number (see {@link IsnGenerator})
     */
    public TcpConnection(TcpConfig config, int iss, SegmentSink sink, TcpEvents events) {
        this.config = Objects.requireNonNull(config);
        this.events = events == null ? TcpEvents.NONE : events;
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
        finish();
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

    private void sendSynAndArm() {
        if (sender.max == 0) {
            sender.nxt = sender.max = 1;
            sender.timing = true;
            sender.timedPos = 0;
            sender.timedAt = now;
        }
        emitter.syn(state == TcpState.SYN_RECEIVED);
        timers.retransmit = now + sender.rtt.rto();
    }

    private void negotiate(TcpSegment syn) {
        // a tiny announced MSS would multiply our segment count; clamp it like Linux's tcp_min_snd_mss
        int peerMss = syn.mss() > 0 ? Math.max(syn.mss(), MIN_PEER_MSS) : DEFAULT_MSS;
        wsOk = config.windowScaling && syn.windowScale() >= 0;
        sackOk = config.sack && syn.sackPermitted();
        tsOk = config.timestamps && syn.hasTimestamps();
        if (tsOk) {
            tsRecent = syn.tsVal();
            tsRecentAt = now;
        }
        sender.shift = wsOk ? Math.min(syn.windowScale(), 14) : 0;
        int payload = Math.min(peerMss, config.mss) - (tsOk ? TIMESTAMP_OPTION_BYTES : 0);
        sender.smss = Math.max(payload, MIN_PEER_MSS - TIMESTAMP_OPTION_BYTES);
        receiver.init(syn.seq(), wsOk ? config.receiveWindowShift() : 0);
    }

    // ---------------------------------------------------------------- input

    /** Processes one segment addressed to this connection. The segment is lent for the call. */
    public void input(TcpSegment seg, long nowNanos) {
        now = nowNanos;
        switch (state) {
            case CLOSED -> {
                if (!seg.rst()) {
                    emitter.resetFor(seg);
                }
            }
            case LISTEN -> inputListen(seg);
            case SYN_SENT -> inputSynSent(seg);
            default -> inputSynchronized(seg);
        }
        flush();
        finish();
    }

    private void inputListen(TcpSegment seg) {
        if (seg.rst()) {
            return;
        }
        if (seg.ackFlag()) {
            emitter.resetFor(seg);
            return;
        }
        if (!seg.syn()) {
            return;
        }
        negotiate(seg);
        state = TcpState.SYN_RECEIVED;
        sendSynAndArm();
    }

    private void inputSynSent(TcpSegment seg) {
        long ackPos = 0;
        if (seg.ackFlag()) {
            ackPos = Seq.widen(seg.ack(), 0, sender.iss);
            if (ackPos <= 0 || ackPos > sender.max) {
                if (!seg.rst()) {
                    emitter.resetFor(seg);
                }
                return;
            }
        }
        if (seg.rst()) {
            if (seg.ackFlag()) {
                fail(TcpError.CONNECTION_REFUSED, false);
            }
            return;
        }
        if (!seg.syn()) {
            return;
        }
        negotiate(seg);
        if (seg.ackFlag()) {
            // a SYN-ACK window is never scaled (RFC 7323 section 2.2)
            establish(ackPos, seg.window(), 0);
            receiver.ackNow = true;
            acceptPayload(seg, 1, false);
        } else {
            state = TcpState.SYN_RECEIVED;
            emitter.syn(true);
        }
    }

    private void establish(long ackPos, int windowField, long segPos) {
        sender.una = ackPos;
        sender.nxt = Math.max(sender.nxt, ackPos);
        sender.wnd = (long) windowField << (segPos == 0 ? 0 : sender.shift);
        sender.maxWnd = sender.wnd;
        sender.wl1 = segPos;
        sender.wl2 = ackPos;
        if (sender.timing && !tsOk) {
            sender.rtt.sample(now - sender.timedAt);
        }
        sender.timing = false;
        sender.rtt.resetBackoff();
        sender.startCongestionControl();
        timers.retransmit = TcpTimers.NONE;
        state = sender.finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED;
        pendingEvents |= EV_CONNECTED;
        armKeepalive();
    }

    private void inputSynchronized(TcpSegment seg) {
        long segPos = receiver.widen(seg.seq());
        if (tsOk && seg.hasTimestamps() && !seg.rst() && Seq.lt(seg.tsVal(), tsRecent)
                && now - tsRecentAt < TS_RECENT_VALID_NANOS) {
            // PAWS (RFC 7323 section 5.3): an old duplicate
            emitter.ack();
            return;
        }
        if (state == TcpState.SYN_RECEIVED && seg.syn() && seg.ackFlag() && !seg.rst() && segPos == 0) {
            // simultaneous open: the peer's SYN-ACK acknowledges our SYN
            long ackPos = sender.widen(seg.ack());
            if (ackPos != 1) {
                emitter.resetFor(seg);
                return;
            }
            establish(ackPos, seg.window(), 0);
            receiver.ackNow = true;
            return;
        }
        long rcvNxt = receiver.next();
        long wnd = receiver.window();
        int segLen = seg.sequenceLength();
        boolean zeroWindowDrop = false;
        boolean acceptable;
        if (segLen == 0) {
            acceptable = wnd == 0 ? segPos == rcvNxt : segPos >= rcvNxt && segPos < rcvNxt + wnd;
        } else if (wnd == 0) {
            // RFC 9293 3.10.7.4: with a zero window still take ACK and RST from a segment at RCV.NXT
            acceptable = segPos == rcvNxt;
            zeroWindowDrop = true;
        } else {
            long last = segPos + segLen - 1;
            acceptable = (segPos >= rcvNxt && segPos < rcvNxt + wnd) || (last >= rcvNxt && last < rcvNxt + wnd)
                    || (segPos < rcvNxt && last >= rcvNxt + wnd);
        }
        if (!acceptable) {
            if (!seg.rst()) {
                if (state == TcpState.TIME_WAIT && seg.fin()) {
                    timers.linger = now + config.timeWaitNanos;
                }
                if (state == TcpState.SYN_RECEIVED) {
                    emitter.syn(true);
                } else {
                    emitter.ack();
                }
            }
            return;
        }
        if (seg.rst()) {
            if (state == TcpState.TIME_WAIT) {
                // RFC 1337: a reset must not cut TIME-WAIT short
                return;
            }
            // RFC 5961 section 3.2: only an exact match resets; anything else in the window is challenged
            if (segPos == rcvNxt) {
                fail(TcpError.CONNECTION_RESET, false);
            } else {
                challengeAck();
            }
            return;
        }
        if (seg.syn()) {
            // RFC 5961 section 4.2
            challengeAck();
            return;
        }
        if (!seg.ackFlag()) {
            return;
        }
        long ackPos = sender.widen(seg.ack());
        if (state == TcpState.SYN_RECEIVED) {
            if (ackPos <= sender.una || ackPos > sender.max) {
                emitter.resetFor(seg);
                return;
            }
            establish(ackPos, seg.window(), segPos);
        }
        if (ackPos > sender.max) {
            emitter.ack();
            return;
        }
        if (ackPos < sender.una - sender.maxWnd) {
            // RFC 5961 section 5.2: too old to be from the peer
            challengeAck();
            return;
        }
        if (tsOk && seg.hasTimestamps() && segPos <= receiver.lastAckSent) {
            tsRecent = seg.tsVal();
            tsRecentAt = now;
        }
        keepaliveProbesSent = 0;
        armKeepalive();
        sender.onAck(seg, ackPos, segPos);
        if (sender.finAcked()) {
            switch (state) {
                case FIN_WAIT_1 -> {
                    state = TcpState.FIN_WAIT_2;
                    if (closeCalled) {
                        timers.linger = now + config.finWait2TimeoutNanos;
                    }
                }
                case CLOSING -> enterTimeWait();
                case LAST_ACK -> {
                    toClosed();
                    return;
                }
                default -> {
                }
            }
        }
        switch (state) {
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> acceptPayload(seg, segPos, zeroWindowDrop);
            default -> {
            }
        }
    }

    private void acceptPayload(TcpSegment seg, long dataPos, boolean zeroWindowDrop) {
        if (seg.payloadLength() == 0 && !seg.fin()) {
            return;
        }
        if (closeCalled && seg.payloadLength() > 0 && dataPos + seg.payloadLength() > receiver.next()) {
            // RFC 2525 / RFC 9293 3.10.4: nobody will read this data
            emitter.reset();
            fail(TcpError.DATA_AFTER_CLOSE, false);
            return;
        }
        receiver.accept(seg, dataPos, zeroWindowDrop);
    }

    private void challengeAck() {
        if (now - challengeWindowStart >= 1_000_000_000L || challengeWindowStart == Long.MIN_VALUE) {
            challengeWindowStart = now;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow < config.challengeAcksPerSecond) {
            challengeAcksInWindow++;
            challengeAcksSent++;
            emitter.ack();
        }
    }

    /** Receiver callback: the peer's FIN was consumed in order. */
    void onPeerFin() {
        pendingEvents |= EV_PEER_FIN;
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

    private void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        timers.clearAll();
        timers.linger = now + config.timeWaitNanos;
    }

    void signalReadable() {
        pendingEvents |= EV_READABLE;
    }

    void signalWritable() {
        pendingEvents |= EV_WRITABLE;
    }

    int tsClock() {
        return (int) Math.floorDiv(now, 1_000_000L) + tsOffset;
    }

    // ---------------------------------------------------------------- application side

    /**
     * Queues bytes for sending; returns how many fit in the send buffer (0 when full: wait for
     * {@link TcpEvents#onWritable()}). Throws once the send side is shut down or the connection is closed.
     */
    public int write(MemorySegment src, long nowNanos) {
        now = nowNanos;
        if (sender.finQueued || state == TcpState.CLOSED || state == TcpState.LISTEN) {
            throw new IllegalStateException("send side closed: " + state);
        }
        int n = sender.write(src, 0, Math.toIntExact(Math.min(src.byteSize(), Integer.MAX_VALUE)));
        flush();
        finish();
        return n;
    }

    public int write(byte[] src, int offset, int length, long nowNanos) {
        return write(MemorySegment.ofArray(src).asSlice(offset, length), nowNanos);
    }

    /**
     * Reads received bytes into {@code dst}; returns the count, 0 when nothing is available yet, or -1 at end of
     * stream (the peer's FIN was reached) or after a reset.
     */
    public int read(MemorySegment dst, long nowNanos) {
        now = nowNanos;
        int n = receiver.read(dst, 0, (int) Math.min(dst.byteSize(), Integer.MAX_VALUE));
        if (n == 0) {
            return receiver.finReceived || state == TcpState.CLOSED ? -1 : 0;
        }
        if (state != TcpState.CLOSED && state.synchronizedState() && receiver.windowUpdateDue()) {
            receiver.ackNow = true;
        }
        flush();
        finish();
        return n;
    }

    public int read(byte[] dst, int offset, int length, long nowNanos) {
        return read(MemorySegment.ofArray(dst).asSlice(offset, length), nowNanos);
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
        finish();
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
                finish();
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
        finish();
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
        toClosed();
        finish();
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
        finish();
    }

    private void onRetransmitTimer() {
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            sender.synRetries++;
            sender.timeouts++;
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

    private void armKeepalive() {
        if (config.keepalive && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)) {
            timers.keepalive = now + config.keepaliveIdleNanos;
        }
    }

    private void onKeepaliveTimer() {
        if (!config.keepalive || !(state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)) {
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

    private void fail(TcpError error, boolean sendReset) {
        if (sendReset && (state.synchronizedState() || state == TcpState.SYN_RECEIVED)) {
            emitter.reset();
        }
        pendingError = error;
        pendingEvents |= EV_ERROR;
        toClosed();
    }

    private void toClosed() {
        if (state == TcpState.CLOSED && (pendingEvents & EV_CLOSED) != 0) {
            return;
        }
        state = TcpState.CLOSED;
        timers.clearAll();
        receiver.ackNow = false;
        pendingEvents |= EV_CLOSED;
    }

    private void finish() {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            while (pendingEvents != 0) {
                int ev = pendingEvents;
                pendingEvents = 0;
                if ((ev & EV_CONNECTED) != 0) {
                    events.onConnected();
                }
                if ((ev & EV_READABLE) != 0) {
                    events.onReadable();
                }
                if ((ev & EV_PEER_FIN) != 0) {
                    events.onPeerFin();
                }
                if ((ev & EV_WRITABLE) != 0) {
                    events.onWritable();
                }
                if ((ev & EV_ERROR) != 0) {
                    events.onError(pendingError);
                }
                if ((ev & EV_CLOSED) != 0) {
                    events.onClosed();
                }
            }
        } finally {
            dispatching = false;
        }
    }

    // ---------------------------------------------------------------- observation

    public TcpState state() {
        return state;
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
        return sender.fastRetransmits;
    }

    public long retransmitTimeouts() {
        return sender.timeouts;
    }

    public long outOfOrderDropped() {
        return receiver.outOfOrderDropped;
    }

    public long challengeAcksSent() {
        return challengeAcksSent;
    }

    @Override
    public String toString() {
        return "TcpConnection[" + state + " una=" + sender.una + " nxt=" + sender.nxt + " max=" + sender.max
                + " wnd=" + sender.wnd + " cwnd=" + congestionWindow() + " dupAcks=" + sender.dupAcks
                + (sender.recovery ? " recovery" : "") + " rcv=" + receiver.next() + " rwnd=" + receiver.window()
                + "]";
    }
}
