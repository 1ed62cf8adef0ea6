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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One link attached to a {@link VirtualSwitch}: a platform reader thread that switches every frame the link
 * receives, and a platform writer thread that sends the frames queued for it in batches. Where the switch allows
 * it, a frame that finds the writer idle is sent by the thread that produced it instead.
 *
 * <p>Platform threads because link I/O may be a blocking FFM call, which would hold a virtual thread's
 * carrier (see java-platform.md, "Virtual threads and blocking FFM calls").
 */
public final class SwitchPort implements AutoCloseable {
    /** Frames handed to one {@link Link#send(Frame[], int)} call at most. */
    static final int SEND_BATCH = 64;
    /**
     * Direct sends in a row, each within this long of the previous one, after which frames are queued: a
     * request/response exchange (a reply, perhaps with its FIN) saves the writer's wake-up, while a burst (a
     * window's worth of segments produced in one go) still reaches the link in the writer's batches of one
     * system call each.
     */
    static final long DIRECT_SEND_SPACING_NANOS = 20_000;
    static final int DIRECT_SEND_RUN = 4;
    /**
     * Larger frames always go through the writer: full segments come in bursts (bulk transfers), where the writer's
     * batches and its running in parallel with the producer are worth more than a saved wake-up; ACKs, handshakes
     * and small replies are the latency-bound frames.
     */
    static final int DIRECT_SEND_MAX_BYTES = 512;

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
    /**
     * Held around every {@link Link#send}: by the writer thread, or by a producer sending its frame itself while
     * the writer has nothing to do (see {@link #enqueue(Frame, boolean)}).
     */
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Frames queued or taken by the writer and not yet sent: a direct send must not overtake them. */
    private final AtomicInteger backlog = new AtomicInteger();
    /** When the last direct send started, and how many came in a row before it (both under the send lock). */
    private long lastDirectSend = System.nanoTime() - DIRECT_SEND_SPACING_NANOS;
    private int directRun;
    private final AtomicBoolean detached = new AtomicBoolean();
    private final AtomicInteger runningThreads = new AtomicInteger(2);
    private final Thread reader;
    private final Thread writer;
    /** The one-frame array for direct sends, used under {@link #sendLock}. */
    private final Frame[] directBatch = new Frame[1];

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
        return enqueue(frame, false);
    }

    /**
     * As {@link #enqueue(Frame)}; with {@code mayBlock}, when the writer has nothing queued or in hand, the
     * calling thread sends the frame itself, saving the hand-off to the writer (a thread wake-up, the larger part of
     * a round trip's latency). Such a send waits if the link's peer stopped reading, so the switch allows it only
     * where that stalls no other port's traffic.
     */
    boolean enqueue(Frame frame, boolean mayBlock) {
        if (mayBlock && frame.length() <= DIRECT_SEND_MAX_BYTES && backlog.get() == 0 && sendLock.tryLock()) {
            try {
                long now = System.nanoTime();
                if (now - lastDirectSend >= DIRECT_SEND_SPACING_NANOS) {
                    directRun = 0;
                }
                if (backlog.get() == 0 && !detached.get() && directRun < DIRECT_SEND_RUN) {
                    directRun++;
                    lastDirectSend = now;
                    sendDirect(frame);
                    return true;
                }
            } finally {
                sendLock.unlock();
            }
        }
        backlog.incrementAndGet();
        frame.retain();
        if (!queue.offer(frame)) {
            backlog.decrementAndGet();
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

    private void sendDirect(Frame frame) {
        directBatch[0] = frame;
        try {
            link.send(directBatch, 1);
            long bytes = frame.length();
            framesOut.increment();
            bytesOut.add(bytes);
            owner.countSent(bytes);
        } catch (IOException | RuntimeException e) {
            // as a failed write on the writer thread: the port goes
            owner.detach(this, e);
        } finally {
            directBatch[0] = null;
        }
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
            backlog.decrementAndGet();
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
                sendLock.lock();
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
                    backlog.addAndGet(-n);
                    sendLock.unlock();
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
