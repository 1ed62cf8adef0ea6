package io.gvproxy.core.buffer;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Ethernet frame in an off-heap buffer taken from a {@link FramePool}.
 *
 * <p>Frames are reference counted so that a broadcast can be queued to several ports without a copy:
 * each holder that keeps the frame past the call that handed it over calls {@link #retain()}, and
 * every holder calls {@link #release()} exactly once when done. The last release returns the buffer
 * to its pool.
 */
public final class Frame {
    private final MemorySegment buffer;
    private final FramePool pool;
    private final AtomicInteger refs = new AtomicInteger();
    private int length;

    Frame(MemorySegment buffer, FramePool pool) {
        this.buffer = buffer;
        this.pool = pool;
    }

    /** The whole buffer, {@link #capacity()} bytes; readers fill it and then call {@link #setLength}. */
    public MemorySegment buffer() {
        return buffer;
    }

    /** The frame's bytes: a view of the first {@link #length()} bytes of the buffer. */
    public MemorySegment data() {
        return buffer.asSlice(0, length);
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return (int) buffer.byteSize();
    }

    public void setLength(int length) {
        if (length < 0 || length > buffer.byteSize()) {
            throw new IllegalArgumentException("frame length " + length + " outside 0.." + buffer.byteSize());
        }
        this.length = length;
    }

    /** Copies {@code src} into this frame and sets the length. */
    public Frame copyFrom(MemorySegment src) {
        setLength((int) src.byteSize());
        MemorySegment.copy(src, 0, buffer, 0, src.byteSize());
        return this;
    }

    public Frame retain() {
        if (refs.getAndIncrement() <= 0) {
            refs.getAndDecrement();
            throw new IllegalStateException("retain of a released frame");
        }
        return this;
    }

    public void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            pool.recycle(this);
        } else if (left < 0) {
            throw new IllegalStateException("frame released twice");
        }
    }

    int refCount() {
        return refs.get();
    }

    void reset() {
        length = 0;
        refs.set(1);
    }
}
