package io.gvproxy.cli.http;

import io.gvproxy.cli.LogrusLogger;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An HTTP/1.1 server over any {@link StreamAcceptor}: one thread per connection (virtual, or platform when the
 * acceptor's channels block in native calls, see {@link StreamAcceptor#blocksCarrier()}), at most
 * {@link HttpLimits#maxConnections()} at once (further clients are closed at once), and a watchdog thread that closes
 * connections past their read or write deadline, since blocking socket channels have no timeouts of their own.
 */
public final class HttpServer implements AutoCloseable {
    private final String name;
    private final StreamAcceptor acceptor;
    private final Router router;
    private final HttpLimits limits;
    private final LogrusLogger log;
    private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean open = true;
    private Thread acceptThread;
    private Thread watchdog;

    public HttpServer(String name, StreamAcceptor acceptor, Router router, HttpLimits limits, LogrusLogger log) {
        this.name = name;
        this.acceptor = acceptor;
        this.router = router;
        this.limits = limits;
        this.log = log;
    }

    public synchronized void start() {
        if (acceptThread != null) {
            throw new IllegalStateException("already started");
        }
        acceptThread = acceptor.threads().name(name + "-accept").start(this::acceptAll);
        watchdog = Thread.ofVirtual().name(name + "-watchdog").start(this::watch);
    }

    private void acceptAll() {
        while (open) {
            StreamAcceptor.Accepted a;
            try {
                a = acceptor.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!open) {
                    return;
                }
                // Typically EMFILE: pause so that a lasting failure does not spin a core.
                log.error(name + ": accept failed: " + e.getMessage());
                sleepQuietly(100);
                continue;
            }
            if (a == null) {
                continue;
            }
            if (connections.size() >= limits.maxConnections()) {
                log.warn(name + ": refusing connection " + a.peer() + ": " + limits.maxConnections()
                        + " connections are open (the limit)");
                closeQuietly(a);
                continue;
            }
            HttpConnection c = new HttpConnection(this, a.channel(), a.peer(), router, limits, log);
            connections.add(c);
            if (!open) {
                c.closeChannel();
            }
            acceptor.threads().name(name + "-" + a.peer()).start(c);
        }
    }

    private void watch() {
        long period = Math.clamp(Math.min(limits.readTimeout().toMillis(), limits.writeTimeout().toMillis()) / 4,
                10, 1000);
        while (open) {
            try {
                Thread.sleep(Duration.ofMillis(period));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (HttpConnection c : connections) {
                c.closeIfExpired(now);
            }
        }
    }

    String name() {
        return name;
    }

    boolean isOpen() {
        return open;
    }

    void removed(HttpConnection c) {
        connections.remove(c);
    }

    /** Connections being served, including ones taken over by a hijacking handler. */
    public int activeConnections() {
        return connections.size();
    }

    public String address() {
        return acceptor.address();
    }

    /** Stops accepting, closes every connection (hijacked ones too) and releases the listener. */
    @Override
    public void close() {
        open = false;
        acceptor.close();
        for (HttpConnection c : List.copyOf(connections)) {
            c.closeChannel();
        }
        Thread w;
        Thread a;
        synchronized (this) {
            w = watchdog;
            a = acceptThread;
        }
        if (w != null) {
            w.interrupt();
        }
        if (a != null) {
            try {
                a.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(StreamAcceptor.Accepted a) {
        try {
            a.channel().close();
        } catch (IOException e) {
            // Refused anyway.
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
