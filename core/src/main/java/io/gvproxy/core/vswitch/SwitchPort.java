package io.gvproxy.core.vswitch;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.BufferedReceive;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One link attached to a {@link VirtualSwitch}: a platform reader thread that switches every frame the link
 * receives, and a platform writer thread that sends the frames queued for it in batches.
 *
 * <p>Platform threads because link I/O may be a blocking FFM call, which would hold a virtual thread's
 * carrier (see java-platform.md, "Virtual threads and blocking FFM calls").
 */
public final class SwitchPort implements AutoCloseable {
    /** Frames handed to one {@link Link#send(Frame[], int)} call at most. */
    static final int SEND_BATCH = 64;

    private final int id;
    private final Link link;
    private final FramePool pool;
    /** Read buffers of a link that negotiated frames over the MTU; null for every other link. */
    private final FramePool largePool;
    private final VirtualSwitch owner;
    private final Consumer<SwitchPort> onDetached;
    /**
     * A preallocated ring (no node per frame, unlike a linked queue) with one lock per port, so readers
     * switching to different ports do not contend; the writer takes up to a batch per lock round trip.
     */
    private final ArrayBlockingQueue<Frame> queue;
    private final AtomicBoolean detached = new AtomicBoolean();
    private final AtomicInteger runningThreads = new AtomicInteger(2);
    private final Thread reader;
    private final Thread writer;

    final Counter framesIn;
    final Counter bytesIn;
    final Counter framesOut;
    final Counter bytesOut;
    final Counter txDropped;

    SwitchPort(int id, Link link, FramePool pool, FramePool largePool, int queueDepth, VirtualSwitch owner,
               Consumer<SwitchPort> onDetached, Counters counters) {
        this.id = id;
        this.link = link;
        this.pool = pool;
        this.largePool = largePool;
        this.owner = owner;
        this.onDetached = onDetached;
        this.queue = new ArrayBlockingQueue<>(queueDepth);
        String prefix = "switch.port." + id + ".";
        framesIn = counters.counter(prefix + "rx_frames");
        bytesIn = counters.counter(prefix + "rx_bytes");
        framesOut = counters.counter(prefix + "tx_frames");
        bytesOut = counters.counter(prefix + "tx_bytes");
        txDropped = counters.counter(prefix + "tx_dropped");
        reader = Thread.ofPlatform().name("switch-port-" + id + "-rx").daemon().unstarted(this::readLoop);
        writer = Thread.ofPlatform().name("switch-port-" + id + "-tx").daemon().unstarted(this::writeLoop);
    }

    public int id() {
        return id;
    }

    public Link link() {
        return link;
    }

    /** Whether this port's link negotiated frames over the MTU. */
    boolean takesLargeFrames() {
        return largePool != null;
    }

    /** Buffers for frames this port's link sends at most the MTU of. */
    FramePool pool() {
        return pool;
    }

    public long framesIn() {
        return framesIn.get();
    }

    public long bytesIn() {
        return bytesIn.get();
    }

    public long framesOut() {
        return framesOut.get();
    }

    public long bytesOut() {
        return bytesOut.get();
    }

    /** Frames dropped because this port's queue was full. */
    public long txDropped() {
        return txDropped.get();
    }

    /** Frames waiting in this port's queue. */
    public int queued() {
        return queue.size();
    }

    public boolean isAttached() {
        return !detached.get();
    }

    /** Detaches this port from its switch (closing its link); idempotent. */
    @Override
    public void close() {
        owner.detach(this, null);
    }

    /**
     * Waits for both threads of this port to end; true if they did within the timeout. Called from one of
     * them (say, from an onDetached callback that closes the switch), that thread is not waited for.
     */
    public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread t : new Thread[] {reader, writer}) {
            if (t != Thread.currentThread() && !t.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "port " + id + " (" + link.name() + ")";
    }

    void start() {
        reader.start();
        writer.start();
    }

    /**
     * Queues {@code frame} (the caller's reference stays the caller's) or drops it if the queue is full.
     * Never blocks, so one slow port cannot stall the thread switching for the others.
     */
    boolean enqueue(Frame frame) {
        frame.retain();
        if (!queue.offer(frame)) {
            frame.release();
            txDropped.increment();
            owner.countDropped();
            return false;
        }
        // A detach that drained the queue before this offer would leave the frame stranded: drain again.
        if (detached.get()) {
            drainQueue();
        }
        return true;
    }

    /** True for the one caller that moves this port to detached. */
    boolean markDetached() {
        return detached.compareAndSet(false, true);
    }

    void stopWriter() {
        if (Thread.currentThread() != writer) {
            writer.interrupt();
        }
    }

    void drainQueue() {
        Frame f;
        while ((f = queue.poll()) != null) {
            f.release();
        }
    }

    void notifyDetached() {
        onDetached.accept(this);
    }

    private void readLoop() {
        Throwable failure = null;
        try {
            while (!detached.get()) {
                Frame frame = (largePool != null ? largePool : pool).acquire();
                try {
                    if (!link.receive(frame)) {
                        break;
                    }
                    if (largePool != null) {
                        owner.switchFromLargePort(this, frame);
                    } else {
                        owner.switchFromPort(this, frame);
                    }
                } finally {
                    frame.release();
                }
                if (!(link instanceof BufferedReceive b) || !b.hasBufferedFrame()) {
                    owner.burstEnded();
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            owner.detach(this, failure);
            if (runningThreads.decrementAndGet() == 0) {
                owner.stopped(this);
            }
        }
    }

    private void writeLoop() {
        Frame[] batch = new Frame[SEND_BATCH];
        ArrayList<Frame> drained = new ArrayList<>(SEND_BATCH);
        Throwable failure = null;
        try {
            while (!detached.get()) {
                batch[0] = queue.take();
                int n = 1;
                queue.drainTo(drained, SEND_BATCH - 1);
                for (int i = 0; i < drained.size(); i++) {
                    batch[n++] = drained.get(i);
                }
                drained.clear();
                try {
                    link.send(batch, n);
                    long bytes = 0;
                    for (int i = 0; i < n; i++) {
                        bytes += batch[i].length();
                    }
                    framesOut.add(n);
                    bytesOut.add(bytes);
                    owner.countSent(bytes);
                } finally {
                    for (int i = 0; i < n; i++) {
                        batch[i].release();
                        batch[i] = null;
                    }
                }
            }
        } catch (InterruptedException e) {
            // Interrupted only by a detach, which already handles everything else.
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            owner.detach(this, failure);
            if (runningThreads.decrementAndGet() == 0) {
                owner.stopped(this);
            }
        }
    }
}
