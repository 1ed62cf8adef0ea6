package io.gvproxy.cli.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A test channel: reads give a fixed input then end of stream; it records writes and the reading thread's kind. */
public final class ScriptedChannel implements ByteChannel {
    private final ByteBuffer input;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Boolean readOnVirtual;

    public ScriptedChannel(String input) {
        this.input = ByteBuffer.wrap(input.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws ClosedChannelException {
        readOnVirtual = Thread.currentThread().isVirtual();
        if (closed.getCount() == 0) {
            throw new ClosedChannelException();
        }
        if (!input.hasRemaining()) {
            return -1;
        }
        int n = Math.min(dst.remaining(), input.remaining());
        dst.put(input.slice(input.position(), n));
        input.position(input.position() + n);
        return n;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws ClosedChannelException {
        if (closed.getCount() == 0) {
            throw new ClosedChannelException();
        }
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        output.write(b, 0, n);
        return n;
    }

    @Override
    public boolean isOpen() {
        return closed.getCount() != 0;
    }

    @Override
    public void close() {
        closed.countDown();
    }

    /** Waits (bounded) until the server closed the channel, then tells whether it read on a virtual thread. */
    public boolean awaitClosedAndReadOnVirtual() throws InterruptedException {
        if (!closed.await(20, TimeUnit.SECONDS)) {
            throw new AssertionError("the channel was not closed within 20 s");
        }
        Boolean v = readOnVirtual;
        if (v == null) {
            throw new AssertionError("the channel was never read");
        }
        return v;
    }

    public synchronized String written() {
        return output.toString(StandardCharsets.UTF_8);
    }
}
