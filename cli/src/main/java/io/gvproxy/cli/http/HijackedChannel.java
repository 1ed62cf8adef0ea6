package io.gvproxy.cli.http;

import io.gvproxy.core.forward.HalfCloseableChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

/**
 * A hijacked connection: reads return the bytes the server had already buffered after the request head, then the
 * socket's bytes. Upstream (Go's Hijack) drops those buffered bytes; a client that pipelines frames right behind its
 * {@code /connect} request would lose them there and keeps them here.
 *
 * <p>One thread may read while another writes, as on the socket itself.
 */
final class HijackedChannel implements HalfCloseableChannel {
    private final ByteChannel socket;
    private final ByteBuffer buffered;

    HijackedChannel(ByteChannel socket, ByteBuffer buffered) {
        this.socket = socket;
        this.buffered = buffered;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (buffered.hasRemaining()) {
            int n = Math.min(dst.remaining(), buffered.remaining());
            ByteBuffer part = buffered.slice(buffered.position(), n);
            dst.put(part);
            buffered.position(buffered.position() + n);
            return n;
        }
        return socket.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return socket.write(src);
    }

    /** Ends the sending direction when the socket can do so alone; otherwise does nothing until close. */
    @Override
    public void shutdownOutput() throws IOException {
        if (socket instanceof SocketChannel sc) {
            sc.shutdownOutput();
        } else if (socket instanceof HalfCloseableChannel hc) {
            hc.shutdownOutput();
        }
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
