package io.gvproxy.cli.http;

import java.io.IOException;
import java.nio.channels.ByteChannel;

/**
 * A listening stream socket of any family (unix and TCP now, vsock later). Closing it must make a blocked
 * {@link #accept} fail and release what the listener holds (a unix socket file, say).
 */
public interface StreamAcceptor extends AutoCloseable {
    /** A connected client channel, in blocking mode, and a name for it in logs. */
    record Accepted(ByteChannel channel, String peer) {
    }

    /** Blocks for the next client; null for a client refused here (its channel is already closed). */
    Accepted accept() throws IOException;

    /** The listen address for logs, e.g. {@code unix:///run/gvproxy.sock}. */
    String address();

    @Override
    void close();
}
