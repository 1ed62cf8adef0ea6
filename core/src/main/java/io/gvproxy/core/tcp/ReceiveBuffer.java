package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * Received bytes by stream offset (offset 0 is the peer's first data byte). In-order bytes wait in
 * [readPos, next) for the application; out-of-order bytes are stored in place beyond {@code next} and tracked
 * by {@link OutOfOrderRanges}, so reassembly needs no per-segment copies or queues.
 *
 * <p>The window it lets the receiver offer is what its ring's {@link TcpBufferBudget} grant covers, so every
 * promise is backed: it starts at {@link #INITIAL_WINDOW} and doubles (as far as the budget grants, up to the
 * capacity) each time the peer sends up to the edge of the offered window, as a receive-buffer autotuner would.
 * Once no more data can come (FIN or close) and the application has read everything, the grant goes back.
 */
final class ReceiveBuffer {
    /** The first grant, enough for a SYN's unscaled 64 KiB window. */
    static final int INITIAL_WINDOW = 64 << 10;
    private final ByteRing ring;
    private final int capacity;
    private final OutOfOrderRanges outOfOrder;
    private long readPos;
    private long next;
    private boolean finished;

    ReceiveBuffer(int capacity, int maxOutOfOrderRanges, TcpBufferBudget budget) {
        this.capacity = capacity;
        this.ring = new ByteRing(capacity, 0, budget);
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

    /** Space from {@code next} to the end of what the grant covers: the most the window may offer. */
    int free() {
        if (ring.limit() == 0 && !finished) {
            ring.grow(INITIAL_WINDOW);
        }
        return (int) Math.max(0, Math.min(capacity, ring.limit()) - (next - readPos));
    }

    /** The peer used the whole window offered: ask the budget for twice as much. */
    void widen() {
        if (!finished && ring.limit() < capacity) {
            ring.grow(2L * ring.limit());
        }
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
        if (finished && readPos == next) {
            ring.discard();
        }
        return n;
    }

    void discard() {
        readPos = next;
        finish();
    }

    /** No more data will be stored (FIN received or connection closed): once read, the ring goes back. */
    void finish() {
        finished = true;
        outOfOrder.clear();
        if (readPos == next) {
            ring.discard();
        }
    }
}
