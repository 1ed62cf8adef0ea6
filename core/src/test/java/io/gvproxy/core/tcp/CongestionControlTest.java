package io.gvproxy.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CongestionControlTest {
    private static final long MS = 1_000_000L;

    @Test
    void newRenoSlowStartThenOneSegmentPerWindow() {
        NewRenoCongestionControl cc = new NewRenoCongestionControl(1000, 10);
        assertEquals(10_000, cc.cwnd());
        cc.onAck(1000, 0, -1);
        assertEquals(11_000, cc.cwnd(), "slow start: +1 SMSS per SMSS acked");
        cc.onLoss(20_000, 0);
        assertEquals(10_000, cc.ssthresh());
        assertEquals(10_000, cc.cwnd());
        for (int i = 0; i < 10; i++) {
            cc.onAck(1000, 0, -1);
        }
        assertEquals(11_000, cc.cwnd(), "congestion avoidance: +1 SMSS per window");
        cc.onTimeout(8_000, true, 0);
        assertEquals(4_000, cc.ssthresh());
        assertEquals(1_000, cc.cwnd());
        cc.onTimeout(1_000, false, 0);
        assertEquals(4_000, cc.ssthresh(), "repeated timeouts keep ssthresh");
    }

    @Test
    void cubicFollowsRenoWhenTheRttIsShort() {
        CubicCongestionControl cc = new CubicCongestionControl(1000, 100);
        cc.onLoss(100_000, 0);
        long t = 0;
        for (int rtt = 0; rtt < 100; rtt++) {
            long acks = cc.cwnd() / 1000;
            for (long i = 0; i < acks; i++) {
                cc.onAck(1000, t, MS);
            }
            t += MS;
        }
        // 100 RTTs of 1 ms: the cubic curve barely moves, the Reno-friendly estimate adds ~0.53 SMSS per RTT
        assertTrue(cc.cwnd() > 110_000, "Reno-friendly region: " + cc.cwnd());
    }

    @Test
    void cubicBacksOffByBetaAndRegrowsTowardsWmax() {
        CubicCongestionControl cc = new CubicCongestionControl(1000, 10);
        for (int i = 0; i < 90; i++) {
            cc.onAck(1000, 0, 10 * MS);
        }
        assertEquals(100_000, cc.cwnd());
        cc.onLoss(100_000, 0);
        assertEquals(70_000, cc.cwnd(), "beta 0.7");
        assertEquals(70_000, cc.ssthresh());
        // K = cbrt(100 * 0.3 / 0.4) ~ 4.2 s: before K the window stays below W_max, after it exceeds it.
        // One window of ACKs per 100 ms RTT keeps the Reno-friendly estimate below the cubic curve.
        long t = 0;
        long at2s = 0;
        while (t < 8_000 * MS) {
            long acks = cc.cwnd() / 1000;
            for (long i = 0; i < acks; i++) {
                cc.onAck(1000, t, 100 * MS);
            }
            t += 100 * MS;
            if (t == 2_000 * MS) {
                at2s = cc.cwnd();
            }
        }
        assertTrue(at2s > 85_000 && at2s < 100_000, "concave region below W_max: " + at2s);
        assertTrue(cc.cwnd() > 100_000, "convex region past W_max: " + cc.cwnd());
        assertTrue(cc.cwnd() < 140_000, "bounded by the cubic curve: " + cc.cwnd());
        cc.onTimeout(cc.cwnd(), true, t);
        assertEquals(1000, cc.cwnd());
    }
}
