package io.gvproxy.core.tcp;

/** RFC 5681 slow start (with RFC 3465 byte counting, L = 2 SMSS) and additive-increase congestion avoidance. */
final class NewRenoCongestionControl implements CongestionControl {
    private final int smss;
    private long cwnd;
    private long ssthresh = Long.MAX_VALUE;
    private long bytesAcked;

    NewRenoCongestionControl(int smss, int initialSegments) {
        this.smss = smss;
        this.cwnd = (long) initialSegments * smss;
    }

    @Override
    public long cwnd() {
        return cwnd;
    }

    @Override
    public long ssthresh() {
        return ssthresh;
    }

    @Override
    public void onAck(long ackedBytes, long nowNanos, long srttNanos) {
        if (cwnd < ssthresh) {
            cwnd += Math.min(ackedBytes, 2L * smss);
            return;
        }
        bytesAcked += ackedBytes;
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            cwnd += smss;
        }
    }

    @Override
    public void onLoss(long flightSize, long nowNanos) {
        ssthresh = Math.max(flightSize / 2, 2L * smss);
        cwnd = ssthresh;
        bytesAcked = 0;
    }

    @Override
    public void onTimeout(long flightSize, boolean first, long nowNanos) {
        if (first) {
            ssthresh = Math.max(flightSize / 2, 2L * smss);
        }
        cwnd = smss;
        bytesAcked = 0;
    }
}
