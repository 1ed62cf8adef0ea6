package io.gvproxy.core.tcp;

/**
 * RFC 9293 section 3.10.7, "SEGMENT ARRIVES": the handshake in LISTEN and SYN-SENT, option negotiation, and in
 * synchronized states PAWS (RFC 7323), the acceptability test, RST and SYN handling with RFC 5961 challenge
 * ACKs, ACK validation and the state changes caused by ACKs; payload and FIN go on to {@link TcpReceiver}.
 */
final class SegmentArrival {
    private static final int DEFAULT_MSS = 536;
    /** A tiny announced MSS would multiply our segment count; clamp it like Linux's tcp_min_snd_mss. */
    private static final int MIN_PEER_MSS = 48;
    private static final int TIMESTAMP_OPTION_BYTES = 12;
    private static final long TS_RECENT_VALID_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
    /** Linux's TCP_PAWS_WINDOW: a TSval this many ticks below TS.Recent is not yet an old duplicate. */
    private static final int PAWS_TOLERANCE_TICKS = 1;
    private final TcpConnection c;
    private long tsRecentAt;
    private long challengeWindowStart = Long.MIN_VALUE;
    private int challengeAcksInWindow;
    long challengeAcksSent;

    SegmentArrival(TcpConnection c) {
        this.c = c;
    }

    void process(TcpSegment seg) {
        switch (c.state) {
            case CLOSED -> {
                if (!seg.rst()) {
                    c.emitter.resetFor(seg);
                }
            }
            case LISTEN -> inListen(seg);
            case SYN_SENT -> inSynSent(seg);
            default -> inSynchronized(seg);
        }
    }

    private void negotiate(TcpSegment syn) {
        TcpConfig config = c.config;
        int peerMss = syn.mss() > 0 ? Math.max(syn.mss(), MIN_PEER_MSS) : DEFAULT_MSS;
        c.wsOk = config.windowScaling && syn.windowScale() >= 0;
        c.sackOk = config.sack && syn.sackPermitted();
        c.tsOk = config.timestamps && syn.hasTimestamps();
        if (c.tsOk) {
            c.tsRecent = syn.tsVal();
            tsRecentAt = c.now;
        }
        c.sender.shift = c.wsOk ? Math.min(syn.windowScale(), 14) : 0;
        int payload = Math.min(peerMss, config.mss) - (c.tsOk ? TIMESTAMP_OPTION_BYTES : 0);
        c.sender.smss = Math.max(payload, MIN_PEER_MSS - TIMESTAMP_OPTION_BYTES);
        c.receiver.init(syn.seq(), c.wsOk ? config.receiveWindowShift() : 0);
    }

    private void inListen(TcpSegment seg) {
        if (seg.rst()) {
            return;
        }
        if (seg.ackFlag()) {
            c.emitter.resetFor(seg);
            return;
        }
        if (!seg.syn()) {
            c.counters.dropInvalidForState.increment();
            return;
        }
        negotiate(seg);
        c.state = TcpState.SYN_RECEIVED;
        c.sendSynAndArm();
    }

    private void inSynSent(TcpSegment seg) {
        TcpSender sender = c.sender;
        long ackPos = 0;
        if (seg.ackFlag()) {
            ackPos = Seq.widen(seg.ack(), 0, sender.iss);
            if (ackPos <= 0 || ackPos > sender.max) {
                if (!seg.rst()) {
                    c.emitter.resetFor(seg);
                }
                return;
            }
        }
        if (seg.rst()) {
            if (seg.ackFlag()) {
                c.counters.resetsReceived.increment();
                c.fail(TcpError.CONNECTION_REFUSED, false);
            }
            return;
        }
        if (!seg.syn()) {
            c.counters.dropInvalidForState.increment();
            return;
        }
        negotiate(seg);
        if (seg.ackFlag()) {
            // a SYN-ACK window is never scaled (RFC 7323 section 2.2)
            establish(ackPos, seg.window(), 0);
            c.receiver.ackNow = true;
            acceptPayload(seg, 1, false);
        } else {
            c.state = TcpState.SYN_RECEIVED;
            c.emitter.syn(true);
        }
    }

    private void establish(long ackPos, int windowField, long segPos) {
        TcpSender sender = c.sender;
        sender.una = ackPos;
        sender.nxt = Math.max(sender.nxt, ackPos);
        sender.wnd = (long) windowField << (segPos == 0 ? 0 : sender.shift);
        sender.maxWnd = sender.wnd;
        sender.wl1 = segPos;
        sender.wl2 = ackPos;
        if (sender.timing && !c.tsOk) {
            sender.rtt.sample(c.now - sender.timedAt);
        }
        sender.timing = false;
        sender.rtt.resetBackoff();
        sender.startCongestionControl();
        c.timers.retransmit = TcpTimers.NONE;
        c.state = sender.finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED;
        c.events.connected();
        c.armKeepalive();
    }

    private void inSynchronized(TcpSegment seg) {
        TcpSender sender = c.sender;
        TcpReceiver receiver = c.receiver;
        long segPos = receiver.widen(seg.seq());
        if (pawsRejects(seg, segPos)) {
            c.counters.dropPaws.increment();
            c.emitter.ack();
            return;
        }
        if (c.state == TcpState.SYN_RECEIVED && seg.syn() && seg.ackFlag() && !seg.rst() && segPos == 0) {
            // simultaneous open: the peer's SYN-ACK acknowledges our SYN
            if (sender.widen(seg.ack()) != 1) {
                c.emitter.resetFor(seg);
                return;
            }
            establish(1, seg.window(), 0);
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
            c.counters.dropOutOfWindow.increment();
            if (c.sackOk && seg.payloadLength() > 0 && segPos + seg.payloadLength() <= rcvNxt) {
                receiver.noteDuplicate(segPos, segPos + seg.payloadLength());
            }
            if (!seg.rst()) {
                if (c.state == TcpState.TIME_WAIT && seg.fin()) {
                    c.timers.linger = c.now + c.config.timeWaitNanos;
                }
                if (c.state == TcpState.SYN_RECEIVED) {
                    c.emitter.syn(true);
                } else {
                    c.emitter.ack();
                }
            }
            return;
        }
        if (seg.rst()) {
            if (c.state == TcpState.TIME_WAIT) {
                // RFC 1337: a reset must not cut TIME-WAIT short
                return;
            }
            // RFC 5961 section 3.2: only an exact match resets; anything else in the window is challenged
            if (segPos == rcvNxt) {
                c.counters.resetsReceived.increment();
                c.fail(TcpError.CONNECTION_RESET, false);
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
            c.counters.dropInvalidForState.increment();
            return;
        }
        long ackPos = sender.widen(seg.ack());
        if (c.state == TcpState.SYN_RECEIVED) {
            if (ackPos <= sender.una || ackPos > sender.max) {
                c.emitter.resetFor(seg);
                return;
            }
            establish(ackPos, seg.window(), segPos);
        }
        if (ackPos > sender.max) {
            c.counters.dropAckUnsent.increment();
            c.emitter.ack();
            return;
        }
        if (ackPos < sender.una - sender.maxWnd) {
            // RFC 5961 section 5.2: too old to be from the peer
            c.counters.dropAckTooOld.increment();
            challengeAck();
            return;
        }
        if (c.tsOk && seg.hasTimestamps() && segPos <= receiver.lastAckSent
                && (!Seq.lt(seg.tsVal(), c.tsRecent) || !tsRecentValid())) {
            // RFC 7323 section 4.3: only from the left window edge and never backwards, so a segment that the
            // tolerance below let through cannot lower TS.Recent
            c.tsRecent = seg.tsVal();
            tsRecentAt = c.now;
        }
        c.onPeerHeard();
        sender.onAck(seg, ackPos, segPos);
        if (sender.finAcked()) {
            switch (c.state) {
                case FIN_WAIT_1 -> c.onFinAckedInFinWait1();
                case CLOSING -> c.enterTimeWait();
                case LAST_ACK -> {
                    c.toClosed();
                    return;
                }
                default -> {
                }
            }
        }
        switch (c.state) {
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> acceptPayload(seg, segPos, zeroWindowDrop);
            default -> {
            }
        }
    }

    private boolean tsRecentValid() {
        return c.now - tsRecentAt < TS_RECENT_VALID_NANOS;
    }

    /**
     * PAWS (RFC 7323 section 5.3): a TSval older than TS.Recent marks an old duplicate. Like Linux
     * (tcp_paws_discard) a TSval one tick old passes, since the peer's clock may tick between segments that
     * the path reorders, and so does a reordered duplicate ACK (tcp_disordered_ack): dropping it would lose its
     * SACK information and answer it with an ACK of our own.
     */
    private boolean pawsRejects(TcpSegment seg, long segPos) {
        if (!c.tsOk || !seg.hasTimestamps() || seg.rst() || !tsRecentValid()) {
            return false;
        }
        int age = c.tsRecent - seg.tsVal();
        if (age <= PAWS_TOLERANCE_TICKS) {
            return false;
        }
        return !(isDisorderedDuplicateAck(seg, segPos) && age <= replayWindowTicks());
    }

    /** A pure ACK at RCV.NXT repeating SND.UNA that would not move the send window. */
    private boolean isDisorderedDuplicateAck(TcpSegment seg, long segPos) {
        TcpSender sender = c.sender;
        return seg.ackFlag() && !seg.syn() && !seg.fin() && seg.payloadLength() == 0
                && segPos == c.receiver.next() && sender.cc != null && sender.widen(seg.ack()) == sender.una
                && segPos <= sender.wl1 && ((long) seg.window() << sender.shift) == sender.wnd;
    }

    /** How old, in peer ticks (assumed milliseconds, as Linux sends), a reordered duplicate ACK may be. */
    private long replayWindowTicks() {
        return Math.max(PAWS_TOLERANCE_TICKS, c.sender.rtt.rto() / 1_000_000L);
    }

    private void acceptPayload(TcpSegment seg, long dataPos, boolean zeroWindowDrop) {
        if (seg.payloadLength() == 0 && !seg.fin()) {
            return;
        }
        if (c.closeCalled && seg.payloadLength() > 0 && dataPos + seg.payloadLength() > c.receiver.next()) {
            // RFC 2525 / RFC 9293 3.10.4: nobody will read this data
            c.emitter.reset();
            c.fail(TcpError.DATA_AFTER_CLOSE, false);
            return;
        }
        c.receiver.accept(seg, dataPos, zeroWindowDrop);
    }

    private void challengeAck() {
        if (challengeWindowStart == Long.MIN_VALUE || c.now - challengeWindowStart >= 1_000_000_000L) {
            challengeWindowStart = c.now;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow < c.config.challengeAcksPerSecond) {
            challengeAcksInWindow++;
            challengeAcksSent++;
            c.counters.challengeAcks.increment();
            c.emitter.ack();
        }
    }
}
