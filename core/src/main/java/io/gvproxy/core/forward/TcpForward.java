package io.gvproxy.core.forward;

import io.gvproxy.core.tcpip.TcpStream;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * A host stream listener (TCP, or a unix socket) whose clients are each connected to one guest TCP port.
 * Closing it stops accepting; connections already forwarded go on, as upstream's do.
 */
final class TcpForward implements AutoCloseable {
    static final long DIAL_TIMEOUT_MILLIS = 10_000;

    private final ServerSocketChannel listener;
    private final GuestDialer dialer;
    private final int guestIp;
    private final int guestPort;
    private final Semaphore slots;
    private final Consumer<String> log;
    private final Thread acceptor;

    TcpForward(ServerSocketChannel listener, GuestDialer dialer, int guestIp, int guestPort, int maxConnections,
               Consumer<String> log) {
        this.listener = listener;
        this.dialer = dialer;
        this.guestIp = guestIp;
        this.guestPort = guestPort;
        this.slots = new Semaphore(maxConnections);
        this.log = log;
        this.acceptor = Thread.ofVirtual().name("fwd-accept-" + address()).start(this::acceptAll);
    }

    String address() {
        try {
            SocketAddress a = listener.getLocalAddress();
            return String.valueOf(a);
        } catch (IOException e) {
            return "closed";
        }
    }

    private void acceptAll() {
        while (listener.isOpen()) {
            SocketChannel client;
            try {
                client = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!listener.isOpen()) {
                    return;
                }
                log.accept("forward " + address() + ": accept failed: " + e.getMessage());
                pause();
                continue;
            }
            if (!slots.tryAcquire()) {
                log.accept("forward " + address() + ": too many connections, closing a new one");
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().name("fwd-conn").start(() -> {
                try {
                    serve(client);
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void serve(SocketChannel client) {
        TcpStream guest;
        try {
            guest = dialer.dial(guestIp, guestPort, DIAL_TIMEOUT_MILLIS);
        } catch (IOException e) {
            log.accept("forward " + address() + ": " + e.getMessage());
            closeQuietly(client);
            return;
        }
        StreamPump.run(client, guest);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Returns once the accept loop has ended, so that the port no longer takes connections. */
    @Override
    public void close() throws IOException {
        listener.close();
        acceptor.interrupt();
        try {
            // an accept in progress keeps the socket open until it returns
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
