package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * Received bytes by stream offset (offset 0 is the peer's first data byte). In-order bytes wait in
 * [readPos, next) for the application; out-of-order bytes are stored in place beyond {@code next} and tracked
 * by {@link OutOfOrderRanges}, so reassembly needs no per-segment copies or queues.
 */
final class ReceiveBuffer {
    private final ByteRing ring;
    private final int capacity;
    private final OutOfOrderRanges outOfOrder;
    private long readPos;
    private long next;

    ReceiveBuffer(int capacity, int maxOutOfOrderRanges) {
        this.capacity = capacity;
        this.ring = new ByteRing(capacity);
        this.outOfOrder = new OutOfOrderRanges(maxOutOfOrderRanges);
    }

    int capacity() {
        return capacity;
    }

    long next() {
        return next;
    }

    long readPos() {
        return readPos;
    }

    int readable() {
        return (int) (next - readPos);
    }

    /** Space from {@code next} to the end of the buffer: the most the window may offer. */
    int free() {
        return (int) (capacity - (next - readPos));
    }

    OutOfOrderRanges outOfOrder() {
        return outOfOrder;
    }

    /**
     * Stores {@code len} bytes at {@code offset} (>= next, within the buffer). Returns how far {@code next}
     * advanced, or -1 when an out-of-order piece was dropped because the range bound is reached.
     */
    long store(long offset, MemorySegment src, long srcOffset, int len) {
        long endPos = offset + len;
        if (endPos - readPos > capacity) {
            throw new IllegalStateException("store beyond receive buffer");
        }
        if (offset > next && !outOfOrder.add(offset, endPos)) {
            return -1;
        }
        ring.ensure(readPos, endPos);
        ring.write(offset, src, srcOffset, len);
        if (offset > next) {
            return 0;
        }
        long before = next;
        next = outOfOrder.advance(Math.max(next, endPos));
        return next - before;
    }

    int read(MemorySegment dst, long dstOffset, int len) {
        int n = Math.min(len, readable());
        ring.read(readPos, dst, dstOffset, n);
        readPos += n;
        return n;
    }
}
