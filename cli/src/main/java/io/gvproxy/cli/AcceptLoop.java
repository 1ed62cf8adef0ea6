package io.gvproxy.cli;

import io.gvproxy.cli.http.StreamAcceptor;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Accepts VM connections on one thread and runs each on its own thread, up to {@code maxPeers} at once; further
 * connections are closed at once. A single-peer loop (QEMU) thus refuses a second VM while one is connected, and
 * accepts again once it disconnects. The threads are virtual, or platform ones for an acceptor whose channels block
 * in native calls (vsock).
 */
final class AcceptLoop implements AutoCloseable {
    @FunctionalInterface
    interface PeerHandler {
        void handle(ByteChannel channel, String peerName) throws IOException;
    }

    private final String kind;
    private final StreamAcceptor acceptor;
    private final SocketAddress localAddress;
    private final int maxPeers;
    private final PeerHandler handler;
    private final LogrusLogger log;
    private final Set<ByteChannel> active = new HashSet<>();
    private volatile boolean closed;
    private volatile Runnable onAcceptFailure = () -> { };
    private Thread acceptThread;

    AcceptLoop(String kind, OpenedAcceptor listener, int maxPeers, PeerHandler handler, LogrusLogger log) {
        this.kind = kind;
        this.acceptor = listener.acceptor();
        this.localAddress = listener.address();
        this.maxPeers = maxPeers;
        this.handler = handler;
        this.log = log;
    }

    /** Runs on every failed accept (upstream sends a hypervisor_error notification then). */
    void onAcceptFailure(Runnable action) {
        this.onAcceptFailure = action;
    }

    void start() {
        log.info("listening " + kind + " on " + acceptor.address());
        acceptThread = acceptor.threads().name(kind + "-accept").start(this::acceptAll);
    }

    private void acceptAll() {
        while (!closed) {
            StreamAcceptor.Accepted a;
            try {
                a = acceptor.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // Typically EMFILE: pause so a persistent failure does not spin a core.
                log.error(kind + ": accept failed: " + StartupException.reason(e));
                onAcceptFailure.run();
                sleepQuietly(100);
                continue;
            }
            if (a == null) {
                continue;
            }
            ByteChannel ch = a.channel();
            String peer = a.peer();
            synchronized (active) {
                if (closed) {
                    closeQuietly(ch);
                    return;
                }
                if (active.size() >= maxPeers) {
                    log.warn(kind + ": refusing connection " + peer + ": " + (maxPeers == 1
                            ? "a VM is already connected" : maxPeers + " VMs are already connected (the limit)"));
                    closeQuietly(ch);
                    continue;
                }
                active.add(ch);
            }
            acceptor.threads().name(kind + "-" + peer).start(() -> serve(ch, peer));
        }
    }

    private void serve(ByteChannel ch, String peer) {
        log.info(kind + ": VM connected: " + peer);
        try {
            handler.handle(ch, peer);
            log.info(kind + ": VM disconnected: " + peer);
        } catch (IOException e) {
            if (closed) {
                log.debug(kind + ": connection " + peer + " closed at shutdown");
            } else {
                log.error(kind + ": connection " + peer + ": " + StartupException.reason(e));
            }
        } catch (RuntimeException e) {
            // A bug in the link must cost one VM connection, never the whole process.
            log.error(kind + ": connection " + peer + " failed: " + e);
        } finally {
            closeQuietly(ch);
            synchronized (active) {
                active.remove(ch);
            }
        }
    }

    /** Stops accepting, closes the listener (removing a socket file) and every open VM connection. */
    @Override
    public void close() {
        List<ByteChannel> open;
        synchronized (active) {
            closed = true;
            open = List.copyOf(active);
        }
        acceptor.close();
        open.forEach(AcceptLoop::closeQuietly);
        if (acceptThread != null) {
            try {
                acceptThread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    SocketAddress localAddress() {
        return localAddress;
    }

    int activeCount() {
        synchronized (active) {
            return active.size();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(ByteChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // The peer is gone either way.
        }
    }
}
