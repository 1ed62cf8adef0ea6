package io.gvproxy.core.vswitch;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.link.Link;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory {@link Link} for switch tests: the test injects received frames and polls sent ones. */
final class TestLink implements Link {
    private static final byte[] END = new byte[0];

    private final String name;
    private final LinkedBlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
    private final AtomicInteger closes = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean failSends;
    private volatile boolean failReceives;
    private volatile CountDownLatch sendGate;
    private final CountDownLatch sendEntered = new CountDownLatch(1);
    volatile Thread receiveThread;
    volatile Thread sendThread;

    TestLink(String name) {
        this.name = name;
    }

    /** The next {@link #receive} returns this frame. */
    void inject(byte[] frame) {
        inbound.add(frame);
    }

    /** {@link #receive} returns false once the frames injected so far are read. */
    void endOfStream() {
        inbound.add(END);
    }

    /** Every later send throws, as a write to a peer that went away does. */
    void failSends() {
        failSends = true;
    }

    /** The next receive throws. */
    void failReceives() {
        failReceives = true;
        inbound.add(END);
    }

    /** Sends block until {@link #unblockSends()} or {@link #close()}, like a peer that stopped reading. */
    void blockSends() {
        sendGate = new CountDownLatch(1);
    }

    void unblockSends() {
        CountDownLatch g = sendGate;
        sendGate = null;
        if (g != null) {
            g.countDown();
        }
    }

    boolean awaitSendEntered(long millis) throws InterruptedException {
        return sendEntered.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The next frame this link was asked to send, or null after {@code millis}. */
    byte[] pollSent(long millis) throws InterruptedException {
        return sent.poll(millis, TimeUnit.MILLISECONDS);
    }

    int sentCount() {
        return sent.size();
    }

    int closeCount() {
        return closes.get();
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        receiveThread = Thread.currentThread();
        byte[] b;
        try {
            b = inbound.take();
        } catch (InterruptedException e) {
            throw new InterruptedIOException("receive interrupted");
        }
        if (b == END) {
            inbound.add(END);
            if (failReceives && !closed) {
                throw new IOException(name + ": injected receive failure");
            }
            return false;
        }
        into.copyFrom(MemorySegment.ofArray(b));
        return true;
    }

    @Override
    public void send(MemorySegment frame) throws IOException {
        sendThread = Thread.currentThread();
        sendEntered.countDown();
        if (failSends) {
            throw new IOException(name + ": injected send failure");
        }
        CountDownLatch g = sendGate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("send interrupted");
            }
        }
        if (closed) {
            throw new IOException(name + ": closed");
        }
        sent.add(frame.toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public String name() {
        return "test " + name;
    }

    @Override
    public void close() {
        closed = true;
        closes.incrementAndGet();
        inbound.add(END);
        unblockSends();
    }
}
