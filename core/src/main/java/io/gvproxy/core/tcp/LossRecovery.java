package io.gvproxy.core.tcp;

/**
 * Loss detection and recovery on the sender: duplicate-ACK counting, RFC 3042 limited transmit, fast
 * retransmit, and then either NewReno recovery with window inflation and partial ACKs (RFC 6582, without SACK)
 * or the RFC 6675 pipe-driven recovery over the {@link SackScoreboard}. The congestion window itself belongs to
 * {@link CongestionControl}.
 *
 * <p>With SACK, a retransmission that is itself lost is found without waiting for the RTO, as Linux did before
 * RACK (tcp_mark_lost_retrans) and in the spirit of RFC 8985: once data first sent after the retransmission is
 * SACKed while the retransmitted range still is not, the retransmission went missing and is sent again.
 */
final class LossRecovery {
    private final TcpSender s;
    private final boolean sack;
    int dupAcks;
    boolean active;
    /** RFC 6582 "recover" / RFC 6675 RecoveryPoint: the highest position sent when loss was detected. */
    long recover;
    /** RFC 6675 HighRxt as an exclusive end: everything below was retransmitted in this episode. */
    long highRxt;
    /** NewReno window inflation (RFC 6582 steps 3-5), added to cwnd while recovering without SACK. */
    long inflation;
    long fastRetransmits;
    long lostRetransmissions;
    /** Retransmissions of this episode: range, and the highest position sent when they went out. */
    private static final int MAX_TRACKED = 32;
    private final long[] rxStart = new long[MAX_TRACKED];
    private final long[] rxEnd = new long[MAX_TRACKED];
    private final long[] rxSentBelow = new long[MAX_TRACKED];
    private final boolean[] rxLost = new boolean[MAX_TRACKED];
    private int rxCount;

    LossRecovery(TcpSender sender, boolean sack) {
        this.s = sender;
        this.sack = sack;
    }

    /** What recovery adds to cwnd for sending new data: inflation, or limited transmit before recovery. */
    long windowBonus(int smss) {
        if (active) {
            return sack ? 0 : inflation;
        }
        // RFC 3042: each of the first two duplicate ACKs lets one new segment out
        return (long) Math.min(dupAcks, 2) * smss;
    }

    /**
     * The cumulative ACK advanced by {@code acked}. Returns true when congestion control may grow the window
     * (we are not recovering).
     */
    boolean onNewAck(long ackPos, long acked) {
        if (!active) {
            dupAcks = 0;
            return true;
        }
        if (ackPos >= recover) {
            active = false;
            inflation = 0;
            dupAcks = 0;
            rxCount = 0;
        } else if (!sack) {
            // RFC 6582 partial ACK: resend the next hole, deflate by what left the network
            s.retransmit(s.una, s.smss);
            inflation -= acked;
            if (acked >= s.smss) {
                inflation += s.smss;
            }
            s.restartRetransmitTimer();
        } else {
            highRxt = Math.max(highRxt, s.una);
        }
        return false;
    }

    void onDuplicateAck() {
        dupAcks++;
        if (active) {
            if (!sack) {
                inflation += s.smss;
            }
            return;
        }
        boolean lossSignalled = dupAcks >= SackScoreboard.DUP_THRESH
                || (sack && s.scoreboard.isLost(s.una, s.smss));
        // RFC 6582 section 3.2 step 2: no new recovery for losses from before the last one ended
        if (lossSignalled && s.una >= recover && s.cc != null) {
            enter();
        }
    }

    private void enter() {
        fastRetransmits++;
        s.countFastRetransmit();
        active = true;
        recover = s.max;
        s.timing = false;
        s.cc.onLoss(s.max - s.una, s.now());
        inflation = sack ? 0 : 3L * s.smss;
        rxCount = 0;
        int used = s.retransmit(s.una, s.smss);
        highRxt = s.una + used;
        track(s.una, s.una + used);
        s.restartRetransmitTimer();
    }

    /** A retransmission timeout ends any recovery; later duplicate ACKs for older data must not start one. */
    void onTimeout() {
        active = false;
        inflation = 0;
        dupAcks = 0;
        recover = s.max;
        highRxt = s.una;
        rxCount = 0;
    }

    /** RFC 6675 section 5 step (C) with NextSeg: fill the pipe with retransmissions, then new data. */
    void sackOutput() {
        long cwnd = s.cc.cwnd();
        SackScoreboard sb = s.scoreboard;
        int smss = s.smss;
        markLostRetransmissions();
        for (int guard = 0; guard < 1024; guard++) {
            long pipe = sb.pipe(s.una, s.max, highRxt, smss) - lostRetransmittedBytes();
            if (cwnd - pipe < smss) {
                return;
            }
            int lost = firstLostRetransmission();
            if (lost >= 0) {
                if (!resendLost(lost)) {
                    return;
                }
                continue;
            }
            long next = sb.nextUnsacked(Math.max(highRxt, s.una));
            boolean hole = next < s.max;
            if (hole && sb.isLost(next, smss)) {
                if (!resend(next)) {
                    return;
                }
                continue;
            }
            if (s.hasUnsent()) {
                long room = Math.min(s.una + s.wnd - s.nxt, smss);
                if (room <= 0 && s.nxt < s.dataEnd()) {
                    return;
                }
                if (!s.sendNewSegment((int) Math.max(room, 0))) {
                    return;
                }
                continue;
            }
            // rule 3: nothing new to send, so resend what may be lost but is not yet known to be
            if (!hole || !resend(next)) {
                return;
            }
        }
    }

    private boolean resend(long pos) {
        int len = (int) Math.min(s.smss, s.scoreboard.nextSacked(pos, s.max) - pos);
        int used = s.retransmit(pos, len);
        if (used == 0) {
            return false;
        }
        highRxt = pos + used;
        track(pos, pos + used);
        return true;
    }

    /** Remembers a retransmission; beyond the bound the oldest is forgotten and left to the RTO. */
    private void track(long start, long end) {
        if (end <= start) {
            return;
        }
        if (rxCount == MAX_TRACKED) {
            remove(0);
        }
        rxStart[rxCount] = start;
        rxEnd[rxCount] = end;
        rxSentBelow[rxCount] = s.max;
        rxLost[rxCount] = false;
        rxCount++;
    }

    private void remove(int i) {
        int tail = rxCount - i - 1;
        System.arraycopy(rxStart, i + 1, rxStart, i, tail);
        System.arraycopy(rxEnd, i + 1, rxEnd, i, tail);
        System.arraycopy(rxSentBelow, i + 1, rxSentBelow, i, tail);
        System.arraycopy(rxLost, i + 1, rxLost, i, tail);
        rxCount--;
    }

    /** Drops delivered retransmissions and marks those that data sent after them overtook. */
    private void markLostRetransmissions() {
        SackScoreboard sb = s.scoreboard;
        long highestSacked = sb.isEmpty() ? s.una : sb.end(sb.count() - 1);
        for (int i = rxCount - 1; i >= 0; i--) {
            long start = Math.max(rxStart[i], s.una);
            if (start >= rxEnd[i] || sb.nextUnsacked(start) >= rxEnd[i]) {
                remove(i);
            } else if (!rxLost[i] && highestSacked > rxSentBelow[i]) {
                rxLost[i] = true;
                lostRetransmissions++;
            }
        }
    }

    private int firstLostRetransmission() {
        for (int i = 0; i < rxCount; i++) {
            if (rxLost[i]) {
                return i;
            }
        }
        return -1;
    }

    /** Lost retransmissions no longer occupy the network, so they leave the pipe. */
    private long lostRetransmittedBytes() {
        long bytes = 0;
        for (int i = 0; i < rxCount; i++) {
            if (rxLost[i]) {
                bytes += rxEnd[i] - Math.max(rxStart[i], s.una);
            }
        }
        return bytes;
    }

    /** Sends the unSACKed part of a lost retransmission again and watches the new copy instead. */
    private boolean resendLost(int i) {
        long pos = s.scoreboard.nextUnsacked(Math.max(rxStart[i], s.una));
        long end = Math.min(rxEnd[i], s.scoreboard.nextSacked(pos, rxEnd[i]));
        int used = end > pos ? s.retransmit(pos, (int) Math.min(s.smss, end - pos)) : 0;
        if (used == 0) {
            remove(i);
            return false;
        }
        s.countLostRetransmission();
        rxLost[i] = false;
        rxStart[i] = pos;
        rxEnd[i] = pos + used;
        rxSentBelow[i] = s.max;
        return true;
    }
}
