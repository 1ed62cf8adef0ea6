package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * Bytes the application wrote that are not yet acknowledged, by stream offset (offset 0 is the first data byte,
 * sequence ISS+1). It doubles as the retransmission queue: anything from {@link #head()} on can be resent.
 *
 * <p>Its ring grows with the bytes written as far as the {@link TcpBufferBudget} grants, so a refused connection
 * accepts fewer bytes until ACKs free some. When the buffer drains after a spell that never used a quarter of the
 * ring, the ring shrinks to twice that spell's peak and the rest goes back to the budget.
 */
final class SendBuffer {
    private final ByteRing ring;
    private final int capacity;
    private final TcpBufferBudget budget;
    private long head;
    private long tail;
    /** Most bytes held at once since the buffer last drained. */
    private long peak;

    /** {@code maxSegment}: the largest payload ever read as one slice (see {@link ByteRing}'s mirror). */
    SendBuffer(int capacity, int maxSegment, TcpBufferBudget budget) {
        this.capacity = capacity;
        this.budget = budget;
        this.ring = new ByteRing(capacity, maxSegment, budget);
    }

    int write(MemorySegment src, long offset, int len) {
        long used = tail - head;
        int n = (int) Math.min(len, capacity - used);
        if (n <= 0) {
            return 0;
        }
        n = (int) Math.min(n, ring.grow(used + n) - used);
        if (n <= 0) {
            return 0;
        }
        ring.ensure(head, tail + n);
        ring.write(tail, src, offset, n);
        tail += n;
        peak = Math.max(peak, tail - head);
        return n;
    }

    /** Bytes a write could take now: up to the capacity as far as the ring's limit and the budget allow. */
    int free() {
        long used = tail - head;
        long room = Math.max(ring.limit(), ByteRing.FLOOR)
                + Math.max(0, budget.limitBytes() - budget.usedBytes());
        return (int) Math.max(0, Math.min(capacity, Math.min(room, ring.maxSize())) - used);
    }

    /** Drops acknowledged bytes below {@code newHead}; returns how many were dropped. */
    long release(long newHead) {
        long target = Math.min(newHead, tail);
        if (target <= head) {
            return 0;
        }
        long n = target - head;
        head = target;
        if (head == tail) {
            int limit = ring.limit();
            if (limit > ByteRing.FLOOR && peak * 4 <= limit) {
                ring.shrink(head, tail, Math.max(ByteRing.FLOOR, Integer.highestOneBit((int) (peak * 2) - 1) << 1));
            }
            peak = 0;
        }
        return n;
    }

    /** Nothing will be sent any more (the connection closed): the ring and its grant go back. */
    void discard() {
        head = tail;
        ring.discard();
    }

    long head() {
        return head;
    }

    long tail() {
        return tail;
    }

    MemorySegment memory() {
        return ring.view();
    }

    int index(long offset) {
        return ring.index(offset);
    }

    int contiguous(long offset) {
        return ring.contiguous(offset);
    }
}
