package io.gvproxy.core.tcp;

/**
 * CUBIC (RFC 9438): after a loss the window follows W(t) = C (t - K)^3 + W_max, never below the Reno-friendly
 * estimate W_est. Windows are tracked in segments as doubles and exposed in bytes.
 */
final class CubicCongestionControl implements CongestionControl {
    private static final double C = 0.4;
    private static final double BETA = 0.7;
    private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    private final int smss;
    private double cwnd;
    private double ssthresh = Double.MAX_VALUE;
    private double wMax;
    private double wLastMax;
    private double k;
    private double wEst;
    private long epochStart = Long.MIN_VALUE;

    CubicCongestionControl(int smss, int initialSegments) {
        this.smss = smss;
        this.cwnd = initialSegments;
    }

    @Override
    public long cwnd() {
        return (long) (cwnd * smss);
    }

    @Override
    public long ssthresh() {
        return ssthresh >= Long.MAX_VALUE / smss ? Long.MAX_VALUE : (long) (ssthresh * smss);
    }

    @Override
    public void onAck(long ackedBytes, long nowNanos, long srttNanos) {
        double acked = (double) ackedBytes / smss;
        if (cwnd < ssthresh) {
            cwnd += Math.min(acked, 2.0);
            return;
        }
        if (epochStart == Long.MIN_VALUE) {
            epochStart = nowNanos;
            if (wMax < cwnd) {
                // no loss yet, or grew past the old maximum: start a new concave-free curve from here
                wMax = cwnd;
            }
            k = Math.cbrt(Math.max(wMax - cwnd, 0) / C);
            wEst = cwnd;
        }
        double rtt = srttNanos > 0 ? srttNanos / 1e9 : 0.1;
        double t = (nowNanos - epochStart) / 1e9;
        wEst += ALPHA * acked / cwnd;
        double wCubicNow = wCubic(t);
        if (wCubicNow < wEst) {
            cwnd = Math.max(cwnd, wEst);
            return;
        }
        double target = Math.min(Math.max(wCubic(t + rtt), cwnd), 1.5 * cwnd);
        cwnd += (target - cwnd) / cwnd * acked;
    }

    private double wCubic(double t) {
        double d = t - k;
        return C * d * d * d + wMax;
    }

    @Override
    public void onLoss(long flightSize, long nowNanos) {
        reduce();
        cwnd = ssthresh;
    }

    private void reduce() {
        // fast convergence (RFC 9438 section 4.7): release bandwidth to newer flows
        if (cwnd < wLastMax) {
            wLastMax = cwnd;
            wMax = cwnd * (1 + BETA) / 2;
        } else {
            wLastMax = cwnd;
            wMax = cwnd;
        }
        ssthresh = Math.max(cwnd * BETA, 2);
        epochStart = Long.MIN_VALUE;
    }

    @Override
    public void onTimeout(long flightSize, boolean first, long nowNanos) {
        if (first) {
            reduce();
        }
        cwnd = 1;
        epochStart = Long.MIN_VALUE;
    }
}
