package io.gvproxy.it;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.Link;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A link that impairs frames in both directions the way netem does on an interface, for kernels built without
 * {@code sch_netem}: every frame is delayed by {@link Impairment#delayNanos()}, except a reordered one, which
 * goes at once and so overtakes the frames before it; lost frames vanish and duplicated ones are queued twice.
 * Modelling netem's delay line matters: holding a frame "until the next one" instead would keep the tail of a
 * flight back until the sender's retransmission timer fires, which measures the timer, not loss recovery.
 * Seeded, but thread timing decides which frames meet which draws, so runs are not reproducible frame by frame.
 */
final class ImpairedLink implements Link {
    record Impairment(double loss, double reorder, double duplicate, long delayNanos) {
        static final Impairment NONE = new Impairment(0, 0, 0, 0);

        boolean none() {
            return loss == 0 && reorder == 0 && duplicate == 0 && delayNanos == 0;
        }
    }

    private static final byte[] END = new byte[0];

    private final Link inner;
    private volatile Impairment impairment = Impairment.NONE;
    private volatile boolean closed;
    private final Random receiveRandom;
    private final Random sendRandom;
    private final AtomicLong order = new AtomicLong();
    private final DelayQueue<Due> toGuest = new DelayQueue<>();
    private final DelayQueue<Due> toSwitch = new DelayQueue<>();
    private final Thread reader;
    private final Thread writer;

    /** A frame's bytes with the time it may leave; ties keep arrival order. */
    private record Due(byte[] bytes, long atNanos, long order) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(atNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Due other = (Due) o;
            int byTime = Long.compare(atNanos, other.atNanos);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    ImpairedLink(Link inner, long seed) {
        this.inner = inner;
        this.receiveRandom = new Random(seed);
        this.sendRandom = new Random(~seed);
        this.reader = Thread.ofPlatform().daemon().name("impaired-read " + inner.name()).start(this::readLoop);
        this.writer = Thread.ofPlatform().daemon().name("impaired-write " + inner.name()).start(this::writeLoop);
    }

    void impair(Impairment i) {
        impairment = i;
    }

    private void readLoop() {
        Frame scratch = new FramePool(65_536 + FramePool.ETHERNET_OVERHEAD, 1).acquire();
        try {
            while (!closed && inner.receive(scratch)) {
                enqueue(toSwitch, receiveRandom, scratch.data());
            }
        } catch (IOException e) {
            // the peer went away: the switch sees the end below
        } finally {
            toSwitch.add(new Due(END, 0, order.getAndIncrement()));
        }
    }

    private void writeLoop() {
        try {
            while (!closed) {
                Due d = toGuest.poll(100, TimeUnit.MILLISECONDS);
                if (d != null) {
                    inner.send(MemorySegment.ofArray(d.bytes()));
                }
            }
        } catch (IOException | InterruptedException e) {
            // closed or the peer went away
        }
    }

    /** netem's order of decisions: loss, then duplication, then reorder-or-delay. */
    private void enqueue(DelayQueue<Due> queue, Random random, MemorySegment frame) {
        Impairment i = impairment;
        long now = System.nanoTime();
        if (i.none()) {
            queue.add(new Due(bytes(frame), now, order.getAndIncrement()));
            return;
        }
        double lossDraw;
        double duplicateDraw;
        double reorderDraw;
        synchronized (random) {
            lossDraw = random.nextDouble();
            duplicateDraw = random.nextDouble();
            reorderDraw = random.nextDouble();
        }
        if (lossDraw < i.loss()) {
            return;
        }
        byte[] bytes = bytes(frame);
        long at = reorderDraw < i.reorder() ? now : now + i.delayNanos();
        queue.add(new Due(bytes, at, order.getAndIncrement()));
        if (duplicateDraw < i.duplicate()) {
            queue.add(new Due(bytes, now + i.delayNanos(), order.getAndIncrement()));
        }
    }

    private static byte[] bytes(MemorySegment frame) {
        return frame.toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        try {
            Due d = toSwitch.take();
            if (d.bytes() == END) {
                toSwitch.add(d);
                return false;
            }
            into.copyFrom(MemorySegment.ofArray(d.bytes()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a frame", e);
        }
    }

    @Override
    public void send(MemorySegment frame) throws IOException {
        if (closed) {
            throw new IOException("link closed: " + name());
        }
        enqueue(toGuest, sendRandom, frame);
    }

    @Override
    public String name() {
        return "impaired " + inner.name();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        inner.close();
        writer.interrupt();
    }
}
