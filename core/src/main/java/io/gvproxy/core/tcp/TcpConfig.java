package io.gvproxy.core.tcp;

/**
 * Tunables of one connection. Immutable; build with {@link #builder()}. Durations are in nanoseconds of the
 * caller's clock (the engine never reads a clock itself).
 */
public final class TcpConfig {
    final int sendBufferBytes;
    final int receiveBufferBytes;
    final int mss;
    final boolean windowScaling;
    final boolean sack;
    final boolean timestamps;
    final CongestionAlgorithm congestion;
    final int initialCwndSegments;
    final long delayedAckNanos;
    final long initialRtoNanos;
    final long minRtoNanos;
    final long maxRtoNanos;
    final int maxRetransmits;
    final int maxSynRetransmits;
    final long timeWaitNanos;
    final long finWait2TimeoutNanos;
    final boolean keepalive;
    final long keepaliveIdleNanos;
    final long keepaliveIntervalNanos;
    final int keepaliveProbes;
    final int maxOutOfOrderRanges;
    final int challengeAcksPerSecond;
    final TcpBufferBudget bufferBudget;

    private TcpConfig(Builder b) {
        sendBufferBytes = b.sendBufferBytes;
        receiveBufferBytes = b.receiveBufferBytes;
        mss = b.mss;
        windowScaling = b.windowScaling;
        sack = b.sack;
        timestamps = b.timestamps;
        congestion = b.congestion;
        initialCwndSegments = b.initialCwndSegments;
        delayedAckNanos = b.delayedAckNanos;
        initialRtoNanos = b.initialRtoNanos;
        minRtoNanos = b.minRtoNanos;
        maxRtoNanos = b.maxRtoNanos;
        maxRetransmits = b.maxRetransmits;
        maxSynRetransmits = b.maxSynRetransmits;
        timeWaitNanos = b.timeWaitNanos;
        finWait2TimeoutNanos = b.finWait2TimeoutNanos;
        keepalive = b.keepalive;
        keepaliveIdleNanos = b.keepaliveIdleNanos;
        keepaliveIntervalNanos = b.keepaliveIntervalNanos;
        keepaliveProbes = b.keepaliveProbes;
        maxOutOfOrderRanges = b.maxOutOfOrderRanges;
        challengeAcksPerSecond = b.challengeAcksPerSecond;
        bufferBudget = b.bufferBudget;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static TcpConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.sendBufferBytes = sendBufferBytes;
        b.receiveBufferBytes = receiveBufferBytes;
        b.mss = mss;
        b.windowScaling = windowScaling;
        b.sack = sack;
        b.timestamps = timestamps;
        b.congestion = congestion;
        b.initialCwndSegments = initialCwndSegments;
        b.delayedAckNanos = delayedAckNanos;
        b.initialRtoNanos = initialRtoNanos;
        b.minRtoNanos = minRtoNanos;
        b.maxRtoNanos = maxRtoNanos;
        b.maxRetransmits = maxRetransmits;
        b.maxSynRetransmits = maxSynRetransmits;
        b.timeWaitNanos = timeWaitNanos;
        b.finWait2TimeoutNanos = finWait2TimeoutNanos;
        b.keepalive = keepalive;
        b.keepaliveIdleNanos = keepaliveIdleNanos;
        b.keepaliveIntervalNanos = keepaliveIntervalNanos;
        b.keepaliveProbes = keepaliveProbes;
        b.maxOutOfOrderRanges = maxOutOfOrderRanges;
        b.challengeAcksPerSecond = challengeAcksPerSecond;
        b.bufferBudget = bufferBudget;
        return b;
    }

    public int sendBufferBytes() {
        return sendBufferBytes;
    }

    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    public int mss() {
        return mss;
    }

    public CongestionAlgorithm congestion() {
        return congestion;
    }

    public long timeWaitNanos() {
        return timeWaitNanos;
    }

    public TcpBufferBudget bufferBudget() {
        return bufferBudget;
    }

    /** The window-scale shift we offer: the smallest that lets the receive buffer be advertised in 16 bits. */
    int receiveWindowShift() {
        if (!windowScaling) {
            return 0;
        }
        int shift = 0;
        while (shift < 14 && (receiveBufferBytes >> shift) > 0xFFFF) {
            shift++;
        }
        return shift;
    }

    public static final class Builder {
        private int sendBufferBytes = 1 << 20;
        private int receiveBufferBytes = 4 << 20;
        private int mss = 1460;
        private boolean windowScaling = true;
        private boolean sack = true;
        private boolean timestamps = true;
        private CongestionAlgorithm congestion = CongestionAlgorithm.CUBIC;
        private int initialCwndSegments = 10;
        private long delayedAckNanos = 40_000_000L;
        private long initialRtoNanos = 1_000_000_000L;
        private long minRtoNanos = 200_000_000L;
        private long maxRtoNanos = 60_000_000_000L;
        private int maxRetransmits = 15;
        private int maxSynRetransmits = 6;
        private long timeWaitNanos = 1_000_000_000L;
        private long finWait2TimeoutNanos = 60_000_000_000L;
        private boolean keepalive = false;
        private long keepaliveIdleNanos = 7_200_000_000_000L;
        private long keepaliveIntervalNanos = 75_000_000_000L;
        private int keepaliveProbes = 9;
        private int maxOutOfOrderRanges = 64;
        private int challengeAcksPerSecond = 100;
        private TcpBufferBudget bufferBudget = TcpBufferBudget.processWide();

        /** Send buffer, up to 2^30 bytes. */
        public Builder sendBufferBytes(int v) {
            sendBufferBytes = positive(v, "sendBufferBytes");
            if (v > (1 << 30)) {
                throw new IllegalArgumentException("sendBufferBytes above 2^30");
            }
            return this;
        }

        /** Receive buffer and therefore the largest window; up to 2^30 (RFC 7323 shift 14). */
        public Builder receiveBufferBytes(int v) {
            receiveBufferBytes = positive(v, "receiveBufferBytes");
            if (v > (1 << 30)) {
                throw new IllegalArgumentException("receiveBufferBytes above 2^30");
            }
            return this;
        }

        /** The MSS we announce and the largest payload we send. */
        public Builder mss(int v) {
            if (v < 64 || v > 65495) {
                throw new IllegalArgumentException("mss " + v);
            }
            mss = v;
            return this;
        }

        public Builder windowScaling(boolean v) {
            windowScaling = v;
            return this;
        }

        public Builder sack(boolean v) {
            sack = v;
            return this;
        }

        public Builder timestamps(boolean v) {
            timestamps = v;
            return this;
        }

        public Builder congestion(CongestionAlgorithm v) {
            congestion = java.util.Objects.requireNonNull(v);
            return this;
        }

        public Builder initialCwndSegments(int v) {
            initialCwndSegments = positive(v, "initialCwndSegments");
            return this;
        }

        public Builder delayedAckNanos(long v) {
            delayedAckNanos = nonNegative(v, "delayedAckNanos");
            return this;
        }

        public Builder initialRtoNanos(long v) {
            initialRtoNanos = positiveNanos(v, "initialRtoNanos");
            return this;
        }

        public Builder minRtoNanos(long v) {
            minRtoNanos = positiveNanos(v, "minRtoNanos");
            return this;
        }

        public Builder maxRtoNanos(long v) {
            maxRtoNanos = positiveNanos(v, "maxRtoNanos");
            return this;
        }

        public Builder maxRetransmits(int v) {
            maxRetransmits = positive(v, "maxRetransmits");
            return this;
        }

        public Builder maxSynRetransmits(int v) {
            maxSynRetransmits = positive(v, "maxSynRetransmits");
            return this;
        }

        public Builder timeWaitNanos(long v) {
            timeWaitNanos = nonNegative(v, "timeWaitNanos");
            return this;
        }

        /** How long FIN-WAIT-2 may last after {@code close()} before the connection is dropped. */
        public Builder finWait2TimeoutNanos(long v) {
            finWait2TimeoutNanos = positiveNanos(v, "finWait2TimeoutNanos");
            return this;
        }

        public Builder keepalive(boolean enabled, long idleNanos, long intervalNanos, int probes) {
            keepalive = enabled;
            keepaliveIdleNanos = positiveNanos(idleNanos, "keepaliveIdleNanos");
            keepaliveIntervalNanos = positiveNanos(intervalNanos, "keepaliveIntervalNanos");
            keepaliveProbes = positive(probes, "keepaliveProbes");
            return this;
        }

        /** Bound on distinct out-of-order byte ranges held for reassembly; segments needing more are dropped. */
        public Builder maxOutOfOrderRanges(int v) {
            maxOutOfOrderRanges = positive(v, "maxOutOfOrderRanges");
            return this;
        }

        /** RFC 5961 section 7 rate limit, per connection. */
        public Builder challengeAcksPerSecond(int v) {
            challengeAcksPerSecond = positive(v, "challengeAcksPerSecond");
            return this;
        }

        /**
         * The budget the send and receive rings draw from; connections sharing one stay within it together.
         * Default: {@link TcpBufferBudget#processWide()}.
         */
        public Builder bufferBudget(TcpBufferBudget v) {
            bufferBudget = java.util.Objects.requireNonNull(v);
            return this;
        }

        public TcpConfig build() {
            if (minRtoNanos > maxRtoNanos) {
                throw new IllegalArgumentException("minRto above maxRto");
            }
            return new TcpConfig(this);
        }

        private static int positive(int v, String name) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + v);
            }
            return v;
        }

        private static long positiveNanos(long v, String name) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + v);
            }
            return v;
        }

        private static long nonNegative(long v, String name) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + v);
            }
            return v;
        }
    }
}
