package io.gvproxy.core.nat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A scripted {@link EchoSocket} and its factory: records what is sent, and hands {@code receive} whatever a test
 * queues (a reply or an error), as a ping socket would. Opens nothing on the host.
 */
final class EchoSocketFake implements EchoSocket {
    record Sent(int destination, int identifier, int sequence, int ttl, byte[] data) {
    }

    /** Every socket the factory opened, in order; {@code deny} makes the factory refuse like a denied sysctl. */
    static final class Factory implements EchoSocketFactory {
        final List<EchoSocketFake> opened = new CopyOnWriteArrayList<>();
        volatile boolean deny;
        volatile boolean fail;

        @Override
        public EchoSocket open() throws java.io.IOException {
            if (deny) {
                throw new EchoDeniedException("denied by the test");
            }
            if (fail) {
                throw new java.io.IOException("descriptor limit (test)");
            }
            EchoSocketFake s = new EchoSocketFake();
            opened.add(s);
            return s;
        }
    }

    final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final BlockingQueue<Consumer<EchoMessage>> script = new LinkedBlockingQueue<>();
    private final Consumer<EchoMessage> closeMarker = m -> { };
    volatile boolean closed;

    @Override
    public void send(int destination, int identifier, int sequence, int ttl, MemorySegment data)
            throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        sent.add(new Sent(destination, identifier, sequence, ttl, data.toArray(ValueLayout.JAVA_BYTE)));
    }

    @Override
    public boolean receive(EchoMessage into, long timeoutMillis) throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        Consumer<EchoMessage> next;
        try {
            next = script.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClosedChannelException();
        }
        if (next == null) {
            return false;
        }
        if (next == closeMarker || closed) {
            throw new ClosedChannelException();
        }
        next.accept(into);
        return true;
    }

    void queueReply(int source, int identifier, int sequence, byte[] data) {
        script.add(m -> {
            MemorySegment.copy(MemorySegment.ofArray(data), 0, m.buffer(), 0, data.length);
            m.reply(source, identifier, sequence, data.length);
        });
    }

    void queueError(int reporter, int type, int code, int info, byte[] quote) {
        script.add(m -> {
            MemorySegment.copy(MemorySegment.ofArray(quote), 0, m.buffer(), 0, quote.length);
            m.error(reporter, type, code, info, quote.length);
        });
    }

    @Override
    public void close() {
        closed = true;
        script.add(closeMarker);
    }

    static List<Sent> drain(EchoSocketFake s) {
        List<Sent> out = new ArrayList<>();
        s.sent.drainTo(out);
        return out;
    }
}
