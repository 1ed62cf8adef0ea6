package io.gvproxy.core.tcpip;

import io.gvproxy.core.tcp.TcpError;
import io.gvproxy.core.tcp.TcpState;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A connection of a {@link TcpStack} as blocking streams, meant for virtual threads. Back-pressure both ways
 * comes from the engine's bounded buffers: {@link #write} waits while the send buffer is full, and unread bytes
 * close the receive window. Like {@link java.net.Socket}, closing either stream closes the connection; use
 * {@link #shutdownOutput()} for a half-close.
 *
 * <p>Reads and writes may run on two threads at once; several concurrent readers (or writers) are not useful.
 */
public final class TcpStream implements AutoCloseable {
    private final StackConnection c;
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile long readTimeoutNanos;

    TcpStream(StackConnection c) {
        this.c = c;
    }

    public int localAddress() {
        return c.localIp;
    }

    public int localPort() {
        return c.localPort;
    }

    public int remoteAddress() {
        return c.remoteIp;
    }

    public int remotePort() {
        return c.remotePort;
    }

    public InputStream inputStream() {
        return in;
    }

    public OutputStream outputStream() {
        return out;
    }

    /** Bounds each blocking {@link #read}; 0 waits forever. */
    public void setReadTimeout(long timeout, TimeUnit unit) {
        readTimeoutNanos = unit.toNanos(timeout);
    }

    /**
     * Waits for the handshake. Throws {@link ConnectException} when the peer refused, the SYN went unanswered,
     * or the connection was closed first, and {@link SocketTimeoutException} when {@code timeout} passed.
     */
    public void awaitConnected(long timeout, TimeUnit unit) throws IOException {
        long left = unit.toNanos(timeout);
        c.lock.lock();
        try {
            while (!c.connected) {
                if (c.closed) {
                    throw new ConnectException("connection to " + this + " failed: "
                            + (c.error == null ? "closed" : c.error));
                }
                if (left <= 0) {
                    throw new SocketTimeoutException("connect to " + this + " timed out");
                }
                left = c.changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            throw interrupted();
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * Reads at least one byte, waiting for it; returns -1 at end of stream (the peer's FIN after its data, or
     * our close). Throws when the connection was reset or timed out.
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(MemorySegment.ofArray(b), off, len);
    }

    /**
     * Like {@link #read(byte[], int, int)} into {@code dst}'s remaining bytes, advancing its position. With a
     * direct buffer, a relay to a socket channel copies the bytes once, straight from the receive buffer.
     */
    public int read(ByteBuffer dst) throws IOException {
        int n = read(MemorySegment.ofBuffer(dst), 0, dst.remaining());
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    private int read(MemorySegment b, long off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        long timeout = readTimeoutNanos;
        long left = timeout;
        c.lock.lock();
        try {
            while (true) {
                if (c.ownerClosed) {
                    return -1;
                }
                int n = c.tcp.read(b, off, len, c.stack.now());
                c.rearm();
                if (n > 0) {
                    return n;
                }
                if (n < 0) {
                    if (c.error != null && c.error != TcpError.DATA_AFTER_CLOSE) {
                        throw failure();
                    }
                    return -1;
                }
                if (timeout == 0) {
                    c.changed.await();
                } else {
                    if (left <= 0) {
                        throw new SocketTimeoutException("read timed out");
                    }
                    left = c.changed.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            throw interrupted();
        } finally {
            c.lock.unlock();
        }
    }

    /** Queues all of {@code b[off, off+len)}, waiting while the send buffer is full. */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        write(MemorySegment.ofArray(b), off, len);
    }

    /** Like {@link #write(byte[], int, int)} with {@code src}'s remaining bytes; its position moves to its limit. */
    public void write(ByteBuffer src) throws IOException {
        int len = src.remaining();
        write(MemorySegment.ofBuffer(src), 0, len);
        src.position(src.position() + len);
    }

    private void write(MemorySegment b, long off, int len) throws IOException {
        c.lock.lock();
        try {
            while (len > 0) {
                int n = writeLocked(b, off, len);
                off += n;
                len -= n;
                if (len > 0 && n == 0) {
                    c.changed.await();
                }
            }
        } catch (InterruptedException e) {
            throw interrupted();
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * Runs {@code listener} after each engine event of this connection (data or a FIN arrived, send space freed,
     * an error, the close), on the thread whose call raised it (a switch reader, the timer thread) once the
     * connection's lock is free. For owners that never wait: they call {@link #readNow} and {@link #writeNow}
     * from the listener. It must not block.
     */
    public void onEvent(Runnable listener) {
        c.listener = listener;
    }

    /**
     * Like {@link #read(ByteBuffer)} without waiting: the bytes readable now (0 when none), or -1 at end of
     * stream. Throws when the connection was reset or timed out.
     */
    public int readNow(ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        if (len == 0) {
            return 0;
        }
        c.lock.lock();
        try {
            if (c.ownerClosed) {
                return -1;
            }
            int n = c.tcp.read(MemorySegment.ofBuffer(dst), 0, len, c.stack.now());
            c.rearm();
            if (n > 0) {
                dst.position(dst.position() + n);
                return n;
            }
            if (n < 0) {
                if (c.error != null && c.error != TcpError.DATA_AFTER_CLOSE) {
                    throw failure();
                }
                return -1;
            }
            return 0;
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * Like {@link #write(ByteBuffer)} without waiting: queues what the send buffer takes now (0 when it is full;
     * the listener hears when space frees) and advances {@code src}'s position by that.
     */
    public int writeNow(ByteBuffer src) throws IOException {
        int len = src.remaining();
        if (len == 0) {
            return 0;
        }
        c.lock.lock();
        try {
            int n = writeLocked(MemorySegment.ofBuffer(src), 0, len);
            src.position(src.position() + n);
            return n;
        } finally {
            c.lock.unlock();
        }
    }

    /** Under the lock: queues what the send buffer takes of {@code b[off, off+len)} now, or throws if closed. */
    private int writeLocked(MemorySegment b, long off, int len) throws IOException {
        if (c.ownerClosed) {
            throw new SocketException("stream closed");
        }
        if (c.closed) {
            throw c.error == null ? new SocketException("connection closed") : failure();
        }
        int n;
        try {
            n = c.tcp.write(b, off, len, c.stack.now());
        } catch (IllegalStateException e) {
            throw new SocketException("send side closed: " + c.tcp.state());
        }
        c.rearm();
        return n;
    }

    /** Bytes readable without waiting. */
    public int available() {
        c.lock.lock();
        try {
            return c.tcp.readable();
        } finally {
            c.lock.unlock();
        }
    }

    /** Sends a FIN after the queued bytes; reading goes on. */
    public void shutdownOutput() {
        c.lock.lock();
        try {
            c.tcp.shutdownOutput(c.stack.now());
            c.rearm();
        } finally {
            c.lock.unlock();
        }
    }

    /** Closes both directions: a FIN after the queued bytes, or a reset if received bytes were left unread. */
    @Override
    public void close() {
        c.lock.lock();
        try {
            c.ownerClosed = true;
            c.tcp.close(c.stack.now());
            c.rearm();
            c.changed.signalAll();
        } finally {
            c.lock.unlock();
        }
    }

    /** Resets the connection at once, discarding queued bytes both ways. */
    public void abort() {
        c.lock.lock();
        try {
            c.ownerClosed = true;
            c.tcp.abort(c.stack.now());
            c.changed.signalAll();
        } finally {
            c.lock.unlock();
        }
    }

    public TcpState state() {
        c.lock.lock();
        try {
            return c.tcp.state();
        } finally {
            c.lock.unlock();
        }
    }

    /** The error that ended the connection, or null. */
    public TcpError error() {
        c.lock.lock();
        try {
            return c.error;
        } finally {
            c.lock.unlock();
        }
    }

    /** Waits until the connection reached CLOSED (both FINs acknowledged and TIME-WAIT over, or a reset). */
    public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        long left = unit.toNanos(timeout);
        c.lock.lock();
        try {
            while (!c.closed) {
                if (left <= 0) {
                    return false;
                }
                left = c.changed.awaitNanos(left);
            }
            return true;
        } finally {
            c.lock.unlock();
        }
    }

    public boolean windowScaleNegotiated() {
        return withLock(() -> c.tcp.windowScaleNegotiated());
    }

    public boolean sackNegotiated() {
        return withLock(() -> c.tcp.sackNegotiated());
    }

    public boolean timestampsNegotiated() {
        return withLock(() -> c.tcp.timestampsNegotiated());
    }

    public int sendMss() {
        c.lock.lock();
        try {
            return c.tcp.sendMss();
        } finally {
            c.lock.unlock();
        }
    }

    private boolean withLock(java.util.function.BooleanSupplier s) {
        c.lock.lock();
        try {
            return s.getAsBoolean();
        } finally {
            c.lock.unlock();
        }
    }

    private IOException failure() {
        return switch (c.error) {
            case CONNECTION_REFUSED -> new ConnectException("connection refused");
            case CONNECTION_RESET -> new SocketException("connection reset");
            case TIMED_OUT -> new SocketTimeoutException("connection timed out");
            case DATA_AFTER_CLOSE -> new SocketException("connection reset after close");
        };
    }

    private static InterruptedIOException interrupted() {
        Thread.currentThread().interrupt();
        return new InterruptedIOException("interrupted");
    }

    @Override
    public String toString() {
        return "TcpStream[" + c + "]";
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = TcpStream.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return TcpStream.this.read(b, off, len);
        }

        @Override
        public int available() {
            return TcpStream.this.available();
        }

        @Override
        public void close() {
            TcpStream.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            TcpStream.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            TcpStream.this.write(b, off, len);
        }

        @Override
        public void close() {
            TcpStream.this.close();
        }
    }
}
