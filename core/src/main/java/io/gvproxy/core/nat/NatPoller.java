package io.gvproxy.core.nat;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One platform thread watching host sockets through a selector and settling deadlines between waits: for the TCP
 * NAT, every flow's and dial's socket (it finishes connects and runs a flow's relay when its socket becomes
 * readable or writable); for the UDP NAT, every flow's replies and idle timeouts. Compared with a blocked thread per flow and per dial,
 * a reply from the host costs one wake-up (this thread's) instead of a poller's plus a virtual thread's, a new
 * connection starts no thread, and an idle flow holds none.
 */
final class NatPoller implements AutoCloseable {
    /** What a watched socket's readiness is reported to, on the poller thread. */
    interface Watcher {
        void ready(int readyOps);
    }

    private static final System.Logger LOG = System.getLogger(NatPoller.class.getName());
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    private final Selector selector;
    private final LongSupplier expireDue;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param name      the thread's name
     * @param expireDue run on the poller thread before each wait: settles whatever is past its deadline and returns
     *                  the nanoseconds until the next deadline, or {@code Long.MAX_VALUE} when there is none
     */
    NatPoller(String name, LongSupplier expireDue) throws IOException {
        this.selector = Selector.open();
        this.expireDue = expireDue;
        thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Watches {@code ch} (non-blocking) for {@code ops}, reporting to {@code watcher} (replacing any earlier
     * watcher of the channel). A new deadline of the caller's is seen from here on too.
     */
    SelectionKey watch(SelectableChannel ch, int ops, Watcher watcher) throws IOException {
        SelectionKey key = ch.register(selector, ops, watcher);
        if (!onPollerThread()) {
            // the new interest takes effect at the next selection: make it happen now
            selector.wakeup();
        }
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
                long due = expireDue.getAsLong();
                long millis = due == NO_DEADLINE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(due) + 1);
                selector.select(NatPoller::ready, millis);
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
        ((Watcher) key.attachment()).ready(ops);
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
