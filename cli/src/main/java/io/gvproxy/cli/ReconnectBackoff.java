package io.gvproxy.cli;

/**
 * The wait between gvforwarder's connection attempts: 1 s after the first failure, doubling up to 10 s, forever
 * (upstream always waits 1 s). A connection that lasted at least the cap starts the sequence over.
 */
final class ReconnectBackoff {
    static final long FIRST_MS = 1000;
    static final long CAP_MS = 10_000;

    private long next = FIRST_MS;

    /** The wait before the next attempt, after a session that lasted {@code sessionMillis}. */
    long afterSession(long sessionMillis) {
        if (sessionMillis >= CAP_MS) {
            next = FIRST_MS;
        }
        long wait = next;
        next = Math.min(CAP_MS, next * 2);
        return wait;
    }
}
