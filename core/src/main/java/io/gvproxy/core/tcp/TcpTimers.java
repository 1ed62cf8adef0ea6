package io.gvproxy.core.tcp;

/**
 * The deadlines of one connection, in the owner's nanosecond clock; {@link #NONE} when disarmed. The owner asks
 * for the earliest and calls back when it passes, so thousands of connections can share one timer wheel.
 */
final class TcpTimers {
    static final long NONE = Long.MAX_VALUE;
    /** Retransmission of SYN, data or FIN (RFC 6298). */
    long retransmit = NONE;
    long delayedAck = NONE;
    /** Zero-window probing, or sending into a small window the sender held back (RFC 9293 3.8.6.1). */
    long persist = NONE;
    long keepalive = NONE;
    /** TIME-WAIT expiry, or the FIN-WAIT-2 limit after close(). */
    long linger = NONE;

    long earliest() {
        return Math.min(Math.min(retransmit, delayedAck), Math.min(Math.min(persist, keepalive), linger));
    }

    void clearAll() {
        retransmit = delayedAck = persist = keepalive = linger = NONE;
    }
}
