package io.gvproxy.cli.http;

import java.io.IOException;
import java.nio.channels.ByteChannel;

/**
 * A listening stream socket of any family (unix, TCP, vsock). Closing it must make a blocked {@link #accept} fail
 * and release what the listener holds (a unix socket file, say).
 */
public interface StreamAcceptor extends AutoCloseable {
    /** A connected client channel, in blocking mode, and a name for it in logs. */
    record Accepted(ByteChannel channel, String peer) {
    }

    /** Blocks for the next client; null for a client refused here (its channel is already closed). */
    Accepted accept() throws IOException;

    /** The listen address for logs, e.g. {@code unix:///run/gvproxy.sock}. */
    String address();

    /**
     * True when {@link #accept} and the accepted channels block inside native (FFM) calls: such a call pins a virtual
     * thread's carrier, so the accept loop and every connection of this acceptor must run on platform threads.
     */
    default boolean blocksCarrier() {
        return false;
    }

    /** A builder for the accept loop and the connection threads: platform threads when {@link #blocksCarrier}. */
    default Thread.Builder threads() {
        return blocksCarrier() ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
    }

    @Override
    void close();
}
