package io.gvproxy.core.forward;

import io.gvproxy.core.tcpip.TcpStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/** A guest TCP stream as a blocking byte channel (the API server on gateway:80 serves these). */
public final class TcpStreamChannel implements HalfCloseableChannel {
    private final TcpStream stream;
    private final byte[] buf = new byte[16 * 1024];
    private volatile boolean open = true;

    public TcpStreamChannel(TcpStream stream) {
        this.stream = stream;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        int n = stream.read(buf, 0, Math.min(buf.length, dst.remaining()));
        if (n > 0) {
            dst.put(buf, 0, n);
        }
        return n;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        int total = src.remaining();
        byte[] chunk = new byte[Math.min(total, 64 * 1024)];
        while (src.hasRemaining()) {
            int n = Math.min(chunk.length, src.remaining());
            src.get(chunk, 0, n);
            stream.write(chunk, 0, n);
        }
        return total;
    }

    @Override
    public void shutdownOutput() {
        stream.shutdownOutput();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        stream.close();
    }
}
