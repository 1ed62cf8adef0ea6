package io.gvproxy.core.tcp;

/**
 * The congestion window outside loss recovery. Loss detection and recovery (NewReno per RFC 6582, SACK per
 * RFC 6675) live in the sender; an algorithm only says how the window grows and how far it drops.
 */
interface CongestionControl {
    /** Congestion window in bytes. */
    long cwnd();

    long ssthresh();

    /** New data was cumulatively acknowledged outside recovery. {@code srttNanos} is -1 before any sample. */
    void onAck(long ackedBytes, long nowNanos, long srttNanos);

    /** Fast retransmit: loss detected by duplicate ACKs or SACK. Sets ssthresh and cwnd = ssthresh. */
    void onLoss(long flightSize, long nowNanos);

    /** Retransmission timeout; {@code first} is false for repeated timeouts of the same data. */
    void onTimeout(long flightSize, boolean first, long nowNanos);
}
