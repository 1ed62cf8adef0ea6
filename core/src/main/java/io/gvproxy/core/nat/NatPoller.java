package io.gvproxy.core.nat;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One platform thread watching the host sockets of every TCP flow and running a flow's relay when its socket
 * becomes readable or writable. Compared with a blocked reader per flow, a reply from the host costs one
 * wake-up (this thread's) instead of a poller's plus a virtual thread's, and an idle flow holds no thread.
 */
final class NatPoller implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NatPoller.class.getName());
    private final Selector selector;
    private final Thread thread;
    private volatile boolean closed;

    NatPoller() throws IOException {
        selector = Selector.open();
        thread = Thread.ofPlatform().name("nat-tcp-poller").daemon().unstarted(this::run);
        thread.start();
    }

    /** Watches {@code ch} (non-blocking) for reads on behalf of {@code flow}. */
    SelectionKey register(SocketChannel ch, TcpFlow flow) throws IOException {
        SelectionKey key = ch.register(selector, SelectionKey.OP_READ, flow);
        // the new key's interest takes effect at the next selection: make it happen now
        selector.wakeup();
        return key;
    }

    boolean onPollerThread() {
        return Thread.currentThread() == thread;
    }

    /** Makes a selection in progress apply interest changes and close cancelled channels now. */
    void wakeup() {
        selector.wakeup();
    }

    private void run() {
        while (!closed) {
            try {
                selector.select(NatPoller::ready);
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "NAT poller failed; continuing", e);
                }
            }
        }
    }

    private static void ready(SelectionKey key) {
        int ops;
        try {
            ops = key.readyOps();
        } catch (CancelledKeyException e) {
            return;
        }
        ((TcpFlow) key.attachment()).hostReady(ops);
    }

    @Override
    public void close() {
        closed = true;
        try {
            selector.close();
        } catch (IOException e) {
            // the thread ends either way
        }
    }
}
