package io.gvproxy.cli;

import io.gvproxy.ffm.Platform;
import io.gvproxy.ffm.SeqpacketLink;
import io.gvproxy.ffm.UnixSeqpacketListener;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code -listen-bess unixpacket://PATH}: one BESS peer (UML's vector transport) at a time. A second connection
 * while one is served is closed at once; after the VM disconnects the next one is accepted, as for QEMU. The accept
 * blocks in a native call, so it runs on a platform thread; the link's reader and writer are the switch's platform
 * threads.
 */
final class BessAcceptLoop implements AutoCloseable {
    private final ListenUrl url;
    private final UnixSeqpacketListener listener;
    private final VmConnectionHandler handler;
    private final LogrusLogger log;
    private final AtomicLong connections = new AtomicLong();
    private final Object lock = new Object();
    private SeqpacketLink active;
    private volatile boolean closed;
    private Thread acceptThread;

    private BessAcceptLoop(ListenUrl url, UnixSeqpacketListener listener, VmConnectionHandler handler, LogrusLogger log) {
        this.url = url;
        this.listener = listener;
        this.handler = handler;
        this.log = log;
    }

    static BessAcceptLoop bind(ListenUrl url, VmConnectionHandler handler, LogrusLogger log) throws StartupException {
        String prefix = "listen unixpacket " + url.path() + ": ";
        UnixSeqpacketListener listener;
        try {
            UnixSocketFileCheck.removeStale(url.path(), Platform.current().constants().sockSeqpacket(), prefix, log);
            listener = UnixSeqpacketListener.bind(url.path(), handler.counters(), "link.bess");
        } catch (IOException | UnsupportedOperationException e) {
            // Unsupported: unixpacket exists on Linux only.
            throw new StartupException(prefix + StartupException.reason(e));
        }
        try {
            UnixSocketFileCheck.makePrivate(url.path(), prefix);
        } catch (StartupException e) {
            listener.close();
            throw e;
        }
        return new BessAcceptLoop(url, listener, handler, log);
    }

    void start() {
        log.info("listening bess on " + url);
        acceptThread = Thread.ofPlatform().daemon().name("bess-accept").start(this::acceptAll);
    }

    private void acceptAll() {
        while (!closed) {
            SeqpacketLink link;
            try {
                link = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // Typically EMFILE: pause so a persistent failure does not spin a core.
                log.error("bess: accept failed: " + StartupException.reason(e));
                sleepQuietly(100);
                continue;
            }
            String peer = url + "#" + connections.incrementAndGet();
            synchronized (lock) {
                if (closed) {
                    link.close();
                    return;
                }
                if (active != null) {
                    log.warn("bess: refusing connection " + peer + ": a VM is already connected");
                    link.close();
                    continue;
                }
                active = link;
            }
            Thread.ofVirtual().name("bess-" + peer).start(() -> serve(link, peer));
        }
    }

    private void serve(SeqpacketLink link, String peer) {
        log.info("bess: VM connected: " + peer);
        try {
            handler.bess(link, peer);
            log.info("bess: VM disconnected: " + peer);
        } catch (IOException e) {
            if (!closed) {
                log.error("bess: connection " + peer + ": " + StartupException.reason(e));
            }
        } catch (RuntimeException e) {
            // A bug in the link must cost one VM connection, never the whole process.
            log.error("bess: connection " + peer + " failed: " + e);
        } finally {
            link.close();
            synchronized (lock) {
                if (active == link) {
                    active = null;
                }
            }
        }
    }

    /** 0 or 1. */
    int activeCount() {
        synchronized (lock) {
            return active == null ? 0 : 1;
        }
    }

    /** Stops accepting, removes the socket file and disconnects the VM. */
    @Override
    public void close() {
        SeqpacketLink open;
        synchronized (lock) {
            closed = true;
            open = active;
        }
        listener.close();
        if (open != null) {
            open.close();
        }
        if (acceptThread != null) {
            try {
                acceptThread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
