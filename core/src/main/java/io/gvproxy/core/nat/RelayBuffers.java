package io.gvproxy.core.nat;

import io.gvproxy.core.stats.Counter;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;

/**
 * The native buffers the TCP relay moves bytes through, lent only while bytes are in flight: a flow takes one
 * to read what is readable now and gives it back once the other side took all of it, so idle flows hold none
 * and thousands of open connections cost no relay memory. Up to {@code keep} free buffers stay for reuse;
 * beyond that a returned buffer is freed at once (not left for the GC), so a burst of busy flows does not leave
 * native memory behind.
 */
final class RelayBuffers {
    static final int SIZE = 64 << 10;

    /** A buffer with the arena that frees it. */
    static final class Lease {
        final ByteBuffer bytes;
        private final Arena arena;

        private Lease(Arena arena) {
            this.arena = arena;
            this.bytes = arena.allocate(SIZE).asByteBuffer();
        }
    }

    private final Lease[] free;
    private final Counter lentGauge;
    private int freeCount;

    /** @param lentGauge counts the buffers lent out now */
    RelayBuffers(int keep, Counter lentGauge) {
        this.free = new Lease[keep];
        this.lentGauge = lentGauge;
    }

    /** A cleared buffer of {@link #SIZE} bytes; give it back with {@link #release}. */
    Lease acquire() {
        lentGauge.increment();
        synchronized (this) {
            if (freeCount > 0) {
                Lease l = free[--freeCount];
                free[freeCount] = null;
                return l;
            }
        }
        // Shared: a flow's buffer may be filled on one thread and drained on another.
        return new Lease(Arena.ofShared());
    }

    void release(Lease l) {
        l.bytes.clear();
        lentGauge.add(-1);
        synchronized (this) {
            if (freeCount < free.length) {
                free[freeCount++] = l;
                return;
            }
        }
        l.arena.close();
    }

    /** Buffers kept for reuse now. */
    synchronized int kept() {
        return freeCount;
    }
}
