package io.gvproxy.core.tcp;

/**
 * Loss detection and recovery on the sender: duplicate-ACK counting, RFC 3042 limited transmit, fast
 * retransmit, and then either NewReno recovery with window inflation and partial ACKs (RFC 6582, without SACK)
 * or the RFC 6675 pipe-driven recovery over the {@link SackScoreboard}. The congestion window itself belongs to
 * {@link CongestionControl}.
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
        highRxt = s.una + s.retransmit(s.una, s.smss);
        s.restartRetransmitTimer();
    }

    /** A retransmission timeout ends any recovery; later duplicate ACKs for older data must not start one. */
    void onTimeout() {
        active = false;
        inflation = 0;
        dupAcks = 0;
        recover = s.max;
        highRxt = s.una;
    }

    /** RFC 6675 section 5 step (C) with NextSeg: fill the pipe with retransmissions, then new data. */
    void sackOutput() {
        long cwnd = s.cc.cwnd();
        SackScoreboard sb = s.scoreboard;
        int smss = s.smss;
        for (int guard = 0; guard < 1024; guard++) {
            long pipe = sb.pipe(s.una, s.max, highRxt, smss);
            if (cwnd - pipe < smss) {
                return;
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
        return true;
    }
}
