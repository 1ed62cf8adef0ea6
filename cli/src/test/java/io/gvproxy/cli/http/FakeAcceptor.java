package io.gvproxy.cli.http;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ByteChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test acceptor: hands out the channels given to it, then blocks until closed. It records whether each accept
 * ran on a virtual thread, and reports {@code blocksCarrier} as told.
 */
public final class FakeAcceptor implements StreamAcceptor {
    public final BlockingQueue<Boolean> acceptOnVirtual = new LinkedBlockingQueue<>();
    private final boolean blocks;
    private final BlockingQueue<ByteChannel> pending = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger count = new AtomicInteger();

    public FakeAcceptor(boolean blocks, ByteChannel... channels) {
        this.blocks = blocks;
        pending.addAll(java.util.List.of(channels));
    }

    @Override
    public Accepted accept() throws IOException {
        acceptOnVirtual.add(Thread.currentThread().isVirtual());
        ByteChannel next = pending.poll();
        if (next != null) {
            return new Accepted(next, "fake#" + count.incrementAndGet());
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AsynchronousCloseException();
    }

    @Override
    public String address() {
        return "fake://";
    }

    @Override
    public boolean blocksCarrier() {
        return blocks;
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
