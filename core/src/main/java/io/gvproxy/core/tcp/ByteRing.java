package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * A power-of-two byte ring addressed by absolute 64-bit stream positions, drawing its memory from a
 * {@link TcpBufferBudget}. Its <em>limit</em> is the ring size the budget granted (what the owner may promise:
 * a window, free send space); the backing array is allocated lazily and grows (by copying the live span) only as
 * far as the bytes stored need, so an idle connection pins neither memory nor, beyond its limit, budget.
 *
 * <p>An optional mirror repeats the ring's first bytes after its end, so any run of up to that many bytes is
 * contiguous in memory even where it wraps: the sender hands out segment payloads as one slice and never has to
 * cut a segment at the wrap. The grant counts the mirror too.
 */
final class ByteRing {
    /** Granted to every ring whatever the budget says, so a connection refused more never stalls. */
    static final int FLOOR = 4096;
    private final int maxSize;
    private final int mirror;
    private final Grant grant;
    private int limit;
    private byte[] data;
    private MemorySegment view;
    private int mask = -1;

    ByteRing(int capacityLimit, int mirror, TcpBufferBudget budget) {
        this.maxSize = Integer.highestOneBit(Math.max(FLOOR, capacityLimit) - 1) << 1;
        this.mirror = mirror;
        this.grant = new Grant(budget);
    }

    /** The budget's grant, returned by a cleaner if the ring is dropped without {@link #discard()}. */
    private static final class Grant implements Runnable {
        final TcpBufferBudget budget;
        volatile long bytes;
        private boolean registered;

        Grant(TcpBufferBudget budget) {
            this.budget = budget;
        }

        void add(long n, Object owner) {
            bytes += n;
            if (!registered) {
                registered = true;
                TcpBufferBudget.CLEANER.register(owner, this);
            }
        }

        @Override
        public void run() {
            budget.release(bytes);
            bytes = 0;
        }
    }

    /** Allocated ring size (0 before the first store). */
    int size() {
        return mask + 1;
    }

    /** The ring size the budget granted: positions [liveStart, liveStart + limit) can be stored without more. */
    int limit() {
        return limit;
    }

    int maxSize() {
        return maxSize;
    }

    /** Budget bytes a limit of {@code size} costs, mirror included. */
    private long cost(int size) {
        return size + (long) Math.min(mirror, size);
    }

    /**
     * Raises the limit towards {@code want} bytes (rounded up to a power of two, capped at the maximum) as far as
     * the budget grants, doubling step by step; the floor is granted unconditionally. Returns the new limit.
     */
    int grow(long want) {
        int target = (int) Math.min(maxSize, Math.max(FLOOR, want));
        if (limit < FLOOR) {
            TcpBufferBudget budget = grant.budget;
            budget.forceReserve(cost(FLOOR) - cost(limit));
            grant.add(cost(FLOOR) - cost(limit), this);
            limit = FLOOR;
        }
        while (limit < target) {
            int next = limit << 1;
            long more = cost(next) - cost(limit);
            if (!grant.budget.tryReserve(more)) {
                break;
            }
            grant.add(more, this);
            limit = next;
        }
        return limit;
    }

    /**
     * Lowers the limit to {@code newLimit} (a power of two, 0 allowed) when the live bytes [liveStart, liveEnd)
     * fit; the array is replaced by a smaller copy, or dropped when nothing is live.
     */
    void shrink(long liveStart, long liveEnd, int newLimit) {
        long span = liveEnd - liveStart;
        if (newLimit >= limit || span > newLimit) {
            return;
        }
        if (span == 0) {
            data = null;
            view = null;
            mask = -1;
        } else if (size() > newLimit) {
            reallocate(newLimit, liveStart, span);
        }
        long back = cost(limit) - cost(newLimit);
        grant.add(-back, this);
        grant.budget.release(back);
        limit = newLimit;
    }

    /** Drops the stored bytes and gives the whole grant back. */
    void discard() {
        shrink(0, 0, 0);
    }

    /**
     * Makes positions [liveStart, end) addressable, keeping the bytes already stored from liveStart on. Within
     * the limit this only allocates; a span beyond it (an owner that promised more than it was granted) is
     * granted anyway rather than losing bytes.
     */
    void ensure(long liveStart, long end) {
        long span = end - liveStart;
        if (span <= size()) {
            return;
        }
        if (span > maxSize) {
            throw new IllegalStateException("ring span " + span + " above " + maxSize);
        }
        while (limit < span) {
            int next = Math.max(FLOOR, limit << 1);
            grant.budget.forceReserve(cost(next) - cost(limit));
            grant.add(cost(next) - cost(limit), this);
            limit = next;
        }
        int newSize = Math.max(FLOOR, size());
        while (newSize < span) {
            newSize <<= 1;
        }
        reallocate(newSize, liveStart, size());
    }

    /** A new array of {@code newSize} holding the {@code liveLength} bytes from {@code liveStart}. */
    private void reallocate(int newSize, long liveStart, long liveLength) {
        byte[] old = data;
        int oldSize = size();
        int oldMask = mask;
        data = new byte[newSize + Math.min(mirror, newSize)];
        view = MemorySegment.ofArray(data);
        mask = newSize - 1;
        long p = liveStart;
        long stop = liveStart + Math.min(liveLength, oldSize);
        while (p < stop) {
            int from = (int) (p & oldMask);
            int to = (int) (p & mask);
            int n = (int) Math.min(stop - p, Math.min(oldSize - from, newSize - to));
            System.arraycopy(old, from, data, to, n);
            p += n;
        }
        System.arraycopy(data, 0, data, newSize, mirrored());
    }

    private int mirrored() {
        return data.length - size();
    }

    void write(long pos, MemorySegment src, long srcOffset, int len) {
        int size = size();
        int mirrored = mirrored();
        while (len > 0) {
            int idx = (int) (pos & mask);
            int n = Math.min(len, size - idx);
            MemorySegment.copy(src, srcOffset, view, idx, n);
            if (idx < mirrored) {
                System.arraycopy(data, idx, data, size + idx, Math.min(n, mirrored - idx));
            }
            pos += n;
            srcOffset += n;
            len -= n;
        }
    }

    void read(long pos, MemorySegment dst, long dstOffset, int len) {
        while (len > 0) {
            int idx = (int) (pos & mask);
            int n = Math.min(len, size() - idx);
            MemorySegment.copy(view, idx, dst, dstOffset, n);
            pos += n;
            dstOffset += n;
            len -= n;
        }
    }

    /** The backing memory; a position maps to {@link #index(long)}. */
    MemorySegment view() {
        return view == null ? MemorySegment.NULL : view;
    }

    int index(long pos) {
        return (int) (pos & mask);
    }

    /** Bytes readable as one run of {@link #view()} from {@link #index(long)}, counting the mirror. */
    int contiguous(long pos) {
        return data == null ? 0 : data.length - index(pos);
    }
}
