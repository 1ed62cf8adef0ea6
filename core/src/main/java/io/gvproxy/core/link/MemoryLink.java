package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of two in-memory {@link Link}s joined back to back, for tests and benchmarks. Each direction is a
 * bounded queue: {@link #send} copies the frame into a pooled {@link Frame} and blocks while the peer's queue
 * is full, so a slow receiver slows the sender instead of growing memory.
 *
 * <p>{@link #close()} ends both directions like closing a socket: this end's {@link #receive} returns false at
 * once; the peer's receive returns the frames already queued to it, then false; sends on either end, blocked
 * or not, throw {@link ClosedChannelException}.
 */
public final class MemoryLink implements Link {
    private final String name;
    private final Lane inbound;
    private final Lane outbound;
    private final FramePool pool;
    private final LinkCounters counters;
    private final Counter tooLarge;
    private final Counter sendTooLarge;
    private volatile boolean closed;

    private MemoryLink(String name, Lane inbound, Lane outbound, FramePool pool, LinkCounters counters) {
        this.name = name;
        this.inbound = inbound;
        this.outbound = outbound;
        this.pool = pool;
        this.counters = counters;
        this.tooLarge = counters.drop("frames_too_large");
        this.sendTooLarge = counters.drop("send_too_large");
    }

    /** Two connected ends, {@code [0]} named {@code memory-a} and {@code [1]} {@code memory-b}. */
    public static MemoryLink[] pair(int capacityFrames, FramePool pool) {
        return pair(capacityFrames, pool, new Counters());
    }

    /** As {@link #pair(int, FramePool)}, counting under {@code link.memory-a} and {@code link.memory-b}. */
    public static MemoryLink[] pair(int capacityFrames, FramePool pool, Counters counters) {
        if (capacityFrames < 1) {
            throw new IllegalArgumentException("capacity must be at least one frame: " + capacityFrames);
        }
        Lane aToB = new Lane(capacityFrames);
        Lane bToA = new Lane(capacityFrames);
        return new MemoryLink[] {
            new MemoryLink("memory-a", bToA, aToB, pool, new LinkCounters(counters, "link.memory-a")),
            new MemoryLink("memory-b", aToB, bToA, pool, new LinkCounters(counters, "link.memory-b")),
        };
    }

    public LinkCounters counters() {
        return counters;
    }

    /** Frames queued to this end and not yet received. */
    public int queued() {
        return inbound.size();
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        while (!closed) {
            Frame f = inbound.take();
            if (f == null) {
                return false;
            }
            try {
                if (closed) {
                    return false;
                }
                if (f.length() > into.capacity()) {
                    tooLarge.increment();
                    continue;
                }
                into.copyFrom(f.data());
                counters.received(f.length());
                return true;
            } finally {
                f.release();
            }
        }
        return false;
    }

    @Override
    public void send(MemorySegment frame) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (frame.byteSize() > pool.frameCapacity()) {
            sendTooLarge.increment();
            return;
        }
        Frame copy = pool.acquire().copyFrom(frame);
        outbound.put(copy);
        counters.sent(copy.length());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        closed = true;
        inbound.close();
        inbound.releaseQueued();
        outbound.close();
    }

    /** One direction: a bounded ring of frames owned by the queue until taken. */
    private static final class Lane {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        private final Condition notFull = lock.newCondition();
        private final Frame[] ring;
        private int head;
        private int size;
        private boolean closed;

        Lane(int capacity) {
            ring = new Frame[capacity];
        }

        /** Takes ownership of {@code f}; releases it if the lane is closed. */
        void put(Frame f) throws IOException {
            lock.lock();
            try {
                while (size == ring.length && !closed) {
                    notFull.await();
                }
                if (closed) {
                    f.release();
                    throw new ClosedChannelException();
                }
                ring[(head + size) % ring.length] = f;
                size++;
                notEmpty.signal();
            } catch (InterruptedException e) {
                f.release();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the peer's queue was full");
            } finally {
                lock.unlock();
            }
        }

        /** The next frame (the caller owns it), or null once the lane is closed and drained. */
        Frame take() throws IOException {
            lock.lock();
            try {
                while (size == 0 && !closed) {
                    notEmpty.await();
                }
                if (size == 0) {
                    return null;
                }
                Frame f = ring[head];
                ring[head] = null;
                head = (head + 1) % ring.length;
                size--;
                notFull.signal();
                return f;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a frame");
            } finally {
                lock.unlock();
            }
        }

        int size() {
            lock.lock();
            try {
                return size;
            } finally {
                lock.unlock();
            }
        }

        /** Returns queued frames to their pool; for the receiving end's close, after which nobody takes. */
        void releaseQueued() {
            lock.lock();
            try {
                while (size > 0) {
                    ring[head].release();
                    ring[head] = null;
                    head = (head + 1) % ring.length;
                    size--;
                }
            } finally {
                lock.unlock();
            }
        }

        void close() {
            lock.lock();
            try {
                closed = true;
                notEmpty.signalAll();
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
