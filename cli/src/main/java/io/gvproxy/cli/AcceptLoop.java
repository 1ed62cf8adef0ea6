package io.gvproxy.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts VM connections on a virtual thread and runs each on its own virtual thread, up to {@code maxPeers} at
 * once; further connections are closed at once. A single-peer loop (QEMU) thus refuses a second VM while one is
 * connected, and accepts again once it disconnects.
 */
final class AcceptLoop implements AutoCloseable {
    @FunctionalInterface
    interface PeerHandler {
        void handle(SocketChannel channel, String peerName) throws IOException;
    }

    private final String kind;
    private final BoundServerSocket socket;
    private final int maxPeers;
    private final PeerHandler handler;
    private final LogrusLogger log;
    private final Set<SocketChannel> active = new HashSet<>();
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean closed;
    private volatile Runnable onAcceptFailure = () -> { };
    private Thread acceptThread;

    AcceptLoop(String kind, BoundServerSocket socket, int maxPeers, PeerHandler handler, LogrusLogger log) {
        this.kind = kind;
        this.socket = socket;
        this.maxPeers = maxPeers;
        this.handler = handler;
        this.log = log;
    }

    /** Runs on every failed accept (upstream sends a hypervisor_error notification then). */
    void onAcceptFailure(Runnable action) {
        this.onAcceptFailure = action;
    }

    void start() {
        log.info("listening " + kind + " on " + socket.url());
        acceptThread = Thread.ofVirtual().name(kind + "-accept").start(this::acceptAll);
    }

    private void acceptAll() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = socket.channel().accept();
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
            String peer = peerName(ch);
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
            Thread.ofVirtual().name(kind + "-" + peer).start(() -> serve(ch, peer));
        }
    }

    private void serve(SocketChannel ch, String peer) {
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

    private String peerName(SocketChannel ch) {
        long n = connections.incrementAndGet();
        try {
            if (ch.getRemoteAddress() instanceof InetSocketAddress a) {
                return a.getAddress().getHostAddress() + ":" + a.getPort();
            }
        } catch (IOException e) {
            // Fall through to the numbered name.
        }
        return socket.url() + "#" + n;
    }

    /** Stops accepting, closes the listener (removing its socket file) and every open VM connection. */
    @Override
    public void close() {
        List<SocketChannel> open;
        synchronized (active) {
            closed = true;
            open = List.copyOf(active);
        }
        socket.close();
        open.forEach(AcceptLoop::closeQuietly);
        if (acceptThread != null) {
            try {
                acceptThread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    SocketAddress localAddressOrThrow() throws IOException {
        return socket.localAddress();
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

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // The peer is gone either way.
        }
    }
}
