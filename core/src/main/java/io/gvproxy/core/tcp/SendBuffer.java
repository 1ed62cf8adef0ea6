package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * Bytes the application wrote that are not yet acknowledged, by stream offset (offset 0 is the first data byte,
 * sequence ISS+1). It doubles as the retransmission queue: anything from {@link #head()} on can be resent.
 */
final class SendBuffer {
    private final ByteRing ring;
    private final int capacity;
    private long head;
    private long tail;

    /** {@code maxSegment}: the largest payload ever read as one slice (see {@link ByteRing}'s mirror). */
    SendBuffer(int capacity, int maxSegment) {
        this.capacity = capacity;
        this.ring = new ByteRing(capacity, maxSegment);
    }

    int write(MemorySegment src, long offset, int len) {
        int n = Math.min(len, free());
        if (n <= 0) {
            return 0;
        }
        ring.ensure(head, tail + n);
        ring.write(tail, src, offset, n);
        tail += n;
        return n;
    }

    int free() {
        return (int) (capacity - (tail - head));
    }

    /** Drops acknowledged bytes below {@code newHead}; returns how many were dropped. */
    long release(long newHead) {
        long target = Math.min(newHead, tail);
        if (target <= head) {
            return 0;
        }
        long n = target - head;
        head = target;
        return n;
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
