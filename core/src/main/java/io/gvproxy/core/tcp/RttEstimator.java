package io.gvproxy.core.tcp;

/** RFC 6298 smoothed RTT, variance and retransmission timeout with exponential backoff. */
final class RttEstimator {
    /** Clock granularity G of RFC 6298: the 1 ms timestamp tick. */
    private static final long GRANULARITY_NANOS = 1_000_000;
    private final long minRto;
    private final long maxRto;
    private long srtt = -1;
    private long rttvar;
    private long rto;
    private int backoff;

    RttEstimator(long initialRto, long minRto, long maxRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.rto = Math.min(Math.max(initialRto, minRto), maxRto);
    }

    void sample(long rttNanos) {
        long r = Math.max(rttNanos, 0);
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = Math.min(Math.max(srtt + Math.max(GRANULARITY_NANOS, 4 * rttvar), minRto), maxRto);
    }

    /** The timeout to arm now, including backoff. */
    long rto() {
        long v = rto;
        for (int i = 0; i < backoff && v < maxRto; i++) {
            v <<= 1;
        }
        return Math.min(v, maxRto);
    }

    void backoff() {
        if (backoff < 30) {
            backoff++;
        }
    }

    void resetBackoff() {
        backoff = 0;
    }

    int backoffCount() {
        return backoff;
    }

    /** Smoothed RTT, or -1 before the first sample. */
    long srtt() {
        return srtt;
    }
}
