package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * The send side of a connection: the send buffer (which is also the retransmission queue), SND.UNA / SND.NXT /
 * SND.WND, segmentation by MSS with sender SWS avoidance, ACK processing (window updates, SACK blocks into the
 * {@link SackScoreboard}, duplicate ACKs into {@link LossRecovery}), the retransmission timer with RFC 6298
 * backoff, the tail loss probe (RFC 8985 section 7), Karn/timestamp RTT sampling and the persist timer.
 *
 * <p>Positions are 64-bit offsets in our sequence space counted from our ISN: position 0 is the SYN, data
 * offset k is position k + 1, and a FIN follows the last data byte.
 */
final class TcpSender {
    /**
     * Added to 2*SRTT for the probe timeout, for a receiver that holds back the ACK of a lone segment. RFC 8985
     * adds 200 ms only when one segment is in flight, which at a 200 ms RTO floor would never probe; 50 ms
     * covers Linux's usual 40 ms delayed ACK.
     */
    private static final long DELAYED_ACK_ALLOWANCE_NANOS = 50_000_000L;
    private static final long MIN_PROBE_TIMEOUT_NANOS = 10_000_000L;
    private final TcpConnection c;
    private final SendBuffer buf;
    final RttEstimator rtt;
    final SackScoreboard scoreboard = new SackScoreboard();
    CongestionControl cc;
    int iss;
    int shift;
    int smss = 536;
    /**
     * Payload bytes a new segment may carry when the path takes segments larger than the MSS (the peer's link
     * re-cuts them, as TSO would); 0: one MSS. Congestion control and retransmissions still count in MSS.
     */
    int largeSegmentBytes;
    long una;
    long nxt;
    /** Highest position ever sent (SND.NXT before a timeout rewound it). */
    long max;
    long wnd;
    long maxWnd;
    long wl1;
    long wl2;
    boolean finQueued;
    boolean writeBlocked;
    /** The last output stopped at the congestion window: only then may ACKs grow it (RFC 7661). */
    boolean cwndLimited;
    LossRecovery recovery;
    boolean timing;
    long timedPos;
    long timedAt;
    int retries;
    int synRetries;
    int persistBackoff;
    int probesUnanswered;
    long retransmittedSegments;
    long timeouts;
    long lossProbes;
    /** The retransmission timer currently stands for the probe timeout, not the RTO. */
    boolean probeArmed;
    /** A probe went out and no ACK has advanced SND.UNA since: at most one probe per tail. */
    boolean probeSent;

    TcpSender(TcpConnection c, TcpConfig config) {
        this.c = c;
        this.buf = new SendBuffer(config.sendBufferBytes, config.mss, config.bufferBudget);
        this.rtt = new RttEstimator(config.initialRtoNanos, config.minRtoNanos, config.maxRtoNanos);
    }

    int seqOf(long pos) {
        return (int) (iss + pos);
    }

    long widen(int seq) {
        return Seq.widen(seq, una, seqOf(una));
    }

    long dataEnd() {
        return 1 + buf.tail();
    }

    /** True once our FIN is acknowledged. */
    boolean finAcked() {
        return finQueued && una > dataEnd();
    }

    boolean finSent() {
        return finQueued && max > dataEnd();
    }

    boolean hasUnsent() {
        return nxt < dataEnd() || (finQueued && nxt <= dataEnd());
    }

    boolean outstanding() {
        return una < max;
    }

    int free() {
        return buf.free();
    }

    /** Nothing more will be sent: the buffer's grant goes back. */
    void discardBuffer() {
        buf.discard();
    }

    int write(MemorySegment src, long offset, int len) {
        int n = buf.write(src, offset, len);
        if (n < len) {
            writeBlocked = true;
        }
        return n;
    }

    /** Called once the handshake fixed the MSS and whether SACK is used. */
    void startCongestionControl() {
        cc = c.config.congestion.create(smss, c.config.initialCwndSegments);
        recovery = new LossRecovery(this, c.sackOk);
    }

    long now() {
        return c.now;
    }

    long effectiveCwnd() {
        return Math.max(cc.cwnd() + recovery.windowBonus(smss), smss);
    }

    void countFastRetransmit() {
        c.counters.fastRetransmits.increment();
    }

    void countLostRetransmission() {
        c.counters.lostRetransmissions.increment();
    }

    void restartRetransmitTimer() {
        probeArmed = false;
        c.timers.retransmit = c.now + rtt.rto();
    }

    /** Arms the probe timeout when it comes before the RTO (RFC 8985 section 7.2), otherwise the RTO. */
    void armRetransmitTimer() {
        if (!outstanding()) {
            probeArmed = false;
            c.timers.retransmit = TcpTimers.NONE;
            return;
        }
        long rto = rtt.rto();
        long pto = probeTimeout();
        probeArmed = pto < rto;
        c.timers.retransmit = c.now + (probeArmed ? pto : rto);
    }

    /** The probe needs SACK to tell which segment it repaired, an RTT sample, and no loss being handled. */
    private long probeTimeout() {
        if (!c.sackOk || recovery == null || recovery.active || probeSent || retries > 0 || rtt.srtt() < 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(2 * rtt.srtt() + DELAYED_ACK_ALLOWANCE_NANOS, MIN_PROBE_TIMEOUT_NANOS);
    }

    /** Sends what the windows allow. {@code force} overrides sender SWS avoidance (the persist timer). */
    void output(boolean force) {
        if (recovery.active && c.sackOk) {
            recovery.sackOutput();
        }
        boolean windowBlocked = false;
        cwndLimited = false;
        long goal = largeSegmentBytes > smss ? largeSegmentBytes - largeSegmentBytes % smss : smss;
        while (true) {
            long end = dataEnd();
            long usable = una + wnd - nxt;
            long cwndRoom = effectiveCwnd() - (nxt - una);
            if (nxt < end) {
                long avail = end - nxt;
                long len = Math.min(Math.min(avail, goal), Math.min(usable, cwndRoom));
                if (cwndRoom < Math.min(Math.min(avail, smss), usable)) {
                    cwndLimited = true;
                }
                if (len <= 0) {
                    windowBlocked = usable <= 0 || (usable < smss && usable < avail);
                    break;
                }
                if (len < smss && len < avail && !force) {
                    if (len == usable && len < maxWnd / 2) {
                        // sender SWS avoidance: wait for a useful window; the persist timer forces it later
                        windowBlocked = true;
                        break;
                    }
                    if (len < usable && outstanding()) {
                        // congestion-limited: the next ACK opens room for a full segment
                        break;
                    }
                }
                sendNewSegment((int) len);
            } else if (finQueued && nxt == end) {
                sendNewSegment(0);
            } else {
                break;
            }
        }
        if (windowBlocked && !outstanding()) {
            if (c.timers.persist == TcpTimers.NONE) {
                c.timers.persist = c.now + persistTimeout();
            }
        } else if (!windowBlocked) {
            c.timers.persist = TcpTimers.NONE;
            persistBackoff = 0;
        }
    }

    private long persistTimeout() {
        long t = rtt.rto();
        for (int i = 0; i < persistBackoff && t < c.config.maxRtoNanos; i++) {
            t <<= 1;
        }
        return Math.min(t, c.config.maxRtoNanos);
    }

    /** Sends one segment from SND.NXT; false when there was nothing to send. */
    boolean sendNewSegment(int maxLen) {
        boolean fresh = nxt >= max;
        int used = sendRange(nxt, maxLen);
        if (used == 0) {
            return false;
        }
        if (fresh && !timing && !c.tsOk) {
            timing = true;
            timedPos = nxt;
            timedAt = c.now;
        } else if (!fresh) {
            retransmittedSegments++;
            c.counters.retransmittedSegments.increment();
        }
        nxt += used;
        if (nxt > max) {
            max = nxt;
        }
        if (c.timers.retransmit == TcpTimers.NONE || (fresh && probeArmed)) {
            armRetransmitTimer();
        }
        return true;
    }

    /** Emits one segment of data (and the FIN if it is next) from {@code pos}; returns sequence space used. */
    int sendRange(long pos, int maxLen) {
        long end = dataEnd();
        long offset = pos - 1;
        int len = (int) Math.max(0, Math.min(maxLen, end - pos));
        if (len > 0) {
            len = Math.min(len, buf.contiguous(offset));
        }
        boolean fin = finQueued && pos + len == end;
        if (len == 0 && !fin) {
            return 0;
        }
        int flags = TcpFlags.ACK | (fin ? TcpFlags.FIN : 0) | (len > 0 && pos + len == end ? TcpFlags.PSH : 0);
        c.emitter.data(flags, seqOf(pos), buf.memory(), len == 0 ? 0 : buf.index(offset), len);
        return len + (fin ? 1 : 0);
    }

    /** Resends from {@code pos} (never beyond what was sent); returns sequence space used. */
    int retransmit(long pos, int maxLen) {
        int used = sendRange(pos, (int) Math.min(maxLen, max - pos));
        if (used > 0) {
            retransmittedSegments++;
            c.counters.retransmittedSegments.increment();
            // a FIN queued after the data went out may ride along for the first time
            max = Math.max(max, pos + used);
        }
        return used;
    }

    /** Processes the ACK field, window and SACK blocks of an acceptable segment. */
    void onAck(TcpSegment seg, long ackPos, long segPos) {
        long segWnd = (long) seg.window() << shift;
        boolean sameWindow = segWnd == wnd;
        boolean sackGrew = false;
        if (c.sackOk && seg.sackBlockCount() > 0) {
            for (int i = 0; i < seg.sackBlockCount(); i++) {
                long l = widen(seg.sackLeft(i));
                long r = widen(seg.sackRight(i));
                // ignore D-SACKs and blocks outside what is in flight
                if (l > ackPos && r > l && r <= max) {
                    sackGrew |= scoreboard.add(l, r);
                }
            }
        }
        if (segPos > wl1 || (segPos == wl1 && ackPos >= wl2)) {
            wnd = segWnd;
            wl1 = segPos;
            wl2 = ackPos;
            maxWnd = Math.max(maxWnd, wnd);
        }
        probesUnanswered = 0;
        if (ackPos > una) {
            newAck(seg, ackPos);
        } else if (ackPos == una && outstanding() && seg.payloadLength() == 0 && !seg.fin()
                && (sameWindow || sackGrew)) {
            recovery.onDuplicateAck();
        }
        if (wnd > 0 && c.timers.persist != TcpTimers.NONE && !outstanding()) {
            persistBackoff = 0;
        }
    }

    private void newAck(TcpSegment seg, long ackPos) {
        long acked = ackPos - una;
        if (c.tsOk && seg.hasTimestamps() && seg.tsEcr() != 0) {
            int ms = c.tsClock() - seg.tsEcr();
            if (ms >= 0 && ms < 600_000) {
                rtt.sample(ms * 1_000_000L);
            }
            timing = false;
        } else if (timing && ackPos > timedPos) {
            rtt.sample(c.now - timedAt);
            timing = false;
        }
        rtt.resetBackoff();
        retries = 0;
        long freed = buf.release(ackPos - 1);
        una = ackPos;
        if (nxt < una) {
            nxt = una;
        }
        scoreboard.prune(una);
        if (recovery.onNewAck(ackPos, acked) && cwndLimited) {
            cc.onAck(acked, c.now, rtt.srtt());
        }
        probeSent = false;
        armRetransmitTimer();
        if (freed > 0 && writeBlocked) {
            writeBlocked = false;
            c.signalWritable();
        }
    }

    /** Retransmission timer expiry with data or FIN outstanding. Returns false when the connection gave up. */
    boolean onRetransmitTimeout() {
        if (!outstanding()) {
            probeArmed = false;
            return true;
        }
        if (probeArmed) {
            sendLossProbe();
            return true;
        }
        retries++;
        timeouts++;
        c.counters.retransmitTimeouts.increment();
        if (retries > c.config.maxRetransmits) {
            return false;
        }
        cc.onTimeout(max - una, retries == 1, c.now);
        recovery.onTimeout();
        scoreboard.clear();
        timing = false;
        rtt.backoff();
        nxt = una;
        // the first unacknowledged segment goes out even into a zero window: it doubles as a window probe
        int used = retransmit(una, smss);
        if (used > 0) {
            nxt = una + used;
        }
        restartRetransmitTimer();
        return true;
    }

    /**
     * RFC 8985 section 7.3: new data if the peer's window takes it, else the last segment again, so that the
     * ACK of the probe (with SACK) reveals a lost tail in one round trip; the RTO stays behind it.
     */
    private void sendLossProbe() {
        probeArmed = false;
        probeSent = true;
        lossProbes++;
        c.counters.lossProbes.increment();
        long usable = una + wnd - nxt;
        boolean sent = false;
        if (nxt < dataEnd() && usable > 0) {
            sent = sendNewSegment((int) Math.min(smss, usable));
        } else if (finQueued && nxt == dataEnd()) {
            sent = sendNewSegment(0);
        }
        if (!sent) {
            long lastData = Math.min(max, dataEnd());
            retransmit(Math.max(una, lastData - smss), smss);
        }
        restartRetransmitTimer();
    }

    /** Persist timer expiry. Returns false when unanswered probes exhausted the retry budget. */
    boolean onPersistTimeout() {
        c.timers.persist = TcpTimers.NONE;
        if (outstanding() || !hasUnsent()) {
            persistBackoff = 0;
            return true;
        }
        persistBackoff++;
        if (una + wnd - nxt > 0) {
            output(true);
        } else {
            probesUnanswered++;
            if (probesUnanswered > c.config.maxRetransmits) {
                return false;
            }
            c.emitter.probe();
        }
        if (!outstanding() && hasUnsent()) {
            c.timers.persist = c.now + persistTimeout();
        }
        return true;
    }
}
