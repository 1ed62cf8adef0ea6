package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counter;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test endpoint's plumbing in the production shape: what it sends goes into a bounded queue that a writer
 * thread drains into the link (as a switch port does, so that a sender never blocks on the link), and a reader
 * thread hands every received frame to the endpoint's input. A full queue drops the frame and counts it.
 */
public final class QueuedLinkPump implements AutoCloseable {
    private final Link link;
    private final FramePool pool;
    private final BlockingQueue<Frame> queue;
    private final Counter queueFull;
    private Thread writer;
    private Thread reader;

    public QueuedLinkPump(Link link, FramePool pool, int queueFrames, Counter queueFull) {
        this.link = link;
        this.pool = pool;
        this.queue = new ArrayBlockingQueue<>(queueFrames);
        this.queueFull = queueFull;
    }

    /** Where the endpoint writes its frames; the frame is lent for the call, as {@link FrameSink} says. */
    public FrameSink output() {
        return f -> {
            f.retain();
            if (!queue.offer(f)) {
                f.release();
                queueFull.increment();
            }
        };
    }

    /** Starts both threads; received frames go to {@code input}. */
    public QueuedLinkPump start(String name, FrameSink input) {
        writer = Thread.ofVirtual().name("writer-" + name).start(this::write);
        reader = Thread.ofVirtual().name("reader-" + name).start(() -> read(input));
        return this;
    }

    private void write() {
        try {
            while (true) {
                Frame f = queue.take();
                try {
                    link.send(f.data());
                } finally {
                    f.release();
                }
            }
        } catch (InterruptedException | IOException e) {
            // closed
        }
    }

    private void read(FrameSink input) {
        try {
            while (true) {
                Frame f = pool.acquire();
                try {
                    if (!link.receive(f)) {
                        return;
                    }
                    input.accept(f);
                } finally {
                    f.release();
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws InterruptedException {
        writer.interrupt();
        try {
            link.close();
        } catch (IOException e) {
            // the link is going away either way
        }
        writer.join(TimeUnit.SECONDS.toMillis(5));
        reader.join(TimeUnit.SECONDS.toMillis(5));
        Frame f;
        while ((f = queue.poll()) != null) {
            f.release();
        }
    }
}
