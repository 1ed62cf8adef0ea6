package io.gvproxy.core.tcp;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte budget shared by the send and receive rings of many connections: a ring grows only by what the budget
 * grants, so many busy connections together stay within it instead of exhausting the heap. A connection that is
 * refused keeps working with the ring it has (a smaller window or fewer unacknowledged bytes), and grows again
 * once other connections give their grants back (when they drain, receive a FIN or close).
 *
 * <p>Every ring may hold a small floor ({@link ByteRing#FLOOR}) whatever the budget says, so a refused
 * connection never stalls: the overdraft is at most one floor per connection with bytes buffered.
 */
public final class TcpBufferBudget {
    /** Gives a ring's grant back if the ring is dropped without being released (a connection abandoned unclosed). */
    static final Cleaner CLEANER = Cleaner.create();
    private static final long MIN_DEFAULT = 8L << 20;
    private static final long MAX_DEFAULT = 256L << 20;
    private static final TcpBufferBudget PROCESS_WIDE = new TcpBufferBudget(defaultLimit(Runtime.getRuntime()
            .maxMemory()));

    private final long limitBytes;
    private final AtomicLong used = new AtomicLong();

    public TcpBufferBudget(long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("budget must be positive: " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /**
     * The budget every connection uses unless its {@link TcpConfig} names another: a quarter of the maximum heap
     * (the rings live there), at least 8 MiB and at most 256 MiB.
     */
    public static TcpBufferBudget processWide() {
        return PROCESS_WIDE;
    }

    static long defaultLimit(long maxHeap) {
        return Math.clamp(maxHeap / 4, MIN_DEFAULT, MAX_DEFAULT);
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** Bytes granted to rings now (may exceed the limit by the floors). */
    public long usedBytes() {
        return used.get();
    }

    /** Grants {@code bytes} if the total stays within the limit. */
    boolean tryReserve(long bytes) {
        long u;
        do {
            u = used.get();
            if (u + bytes > limitBytes) {
                return false;
            }
        } while (!used.compareAndSet(u, u + bytes));
        return true;
    }

    /** Grants {@code bytes} whatever the limit: only for a ring's floor. */
    void forceReserve(long bytes) {
        used.addAndGet(bytes);
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }
}
