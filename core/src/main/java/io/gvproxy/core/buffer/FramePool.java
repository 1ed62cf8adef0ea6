package io.gvproxy.core.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pool of off-heap frame buffers of one size.
 *
 * <p>At most {@code maxIdle} free buffers are kept; a buffer released when the pool is full is left to
 * the garbage collector (its arena is automatic), so the pool never holds more than
 * {@code maxIdle * frameCapacity} bytes of idle memory. Frames in flight are bounded by the queues
 * that hold them, not by the pool.
 */
public final class FramePool {
    /** Ethernet header (14) plus one 802.1Q tag (4): what a frame adds to the MTU. */
    public static final int ETHERNET_OVERHEAD = 18;

    private final int frameCapacity;
    private final ArrayBlockingQueue<Frame> idle;
    private final LongAdder allocated = new LongAdder();

    public FramePool(int frameCapacity, int maxIdle) {
        if (frameCapacity < 64) {
            throw new IllegalArgumentException("frame capacity too small: " + frameCapacity);
        }
        this.frameCapacity = frameCapacity;
        this.idle = new ArrayBlockingQueue<>(Math.max(1, maxIdle));
    }

    /** Idle frames kept by {@link #forMtu}: up to 1024, and no more than {@link #MAX_IDLE_BYTES} of them. */
    static final int MAX_IDLE_FRAMES = 1024;
    static final int MAX_IDLE_BYTES = 8 << 20;

    /**
     * A pool sized for frames of the given MTU. Frames are allocated on demand; the idle ones kept for reuse are
     * bounded in bytes too, so at a jumbo MTU (64 KiB frames) a burst does not leave 64 MiB pinned.
     */
    public static FramePool forMtu(int mtu) {
        int capacity = mtu + ETHERNET_OVERHEAD;
        return new FramePool(capacity, Math.clamp(MAX_IDLE_BYTES / capacity, 1, MAX_IDLE_FRAMES));
    }

    public int frameCapacity() {
        return frameCapacity;
    }

    /** A frame with length 0 and one reference, owned by the caller. */
    public Frame acquire() {
        Frame f = idle.poll();
        if (f == null) {
            allocated.increment();
            f = new Frame(Arena.ofAuto().allocate(frameCapacity, 16), this);
        }
        f.reset();
        return f;
    }

    /** Copies {@code src} into a new frame from this pool. */
    public Frame copyOf(MemorySegment src) {
        Frame f = acquire();
        if (src.byteSize() > frameCapacity) {
            f.release();
            throw new IllegalArgumentException("frame of " + src.byteSize() + " bytes exceeds capacity " + frameCapacity);
        }
        return f.copyFrom(src);
    }

    /** Buffers allocated since start (a pool that keeps allocating is too small or leaking). */
    public long allocatedCount() {
        return allocated.sum();
    }

    public int idleCount() {
        return idle.size();
    }

    void recycle(Frame f) {
        idle.offer(f);
    }
}
