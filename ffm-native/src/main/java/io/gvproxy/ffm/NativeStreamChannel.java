package io.gvproxy.ffm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ByteChannel;

/**
 * A connected stream socket fd as a blocking {@link ByteChannel}: reads and writes go through FFM straight
 * into the buffer's memory (direct buffers) or through a native scratch buffer (heap buffers). A write
 * sends the whole buffer, as a blocking JDK channel does.
 *
 * <p>Threading: one reader thread and one writer thread, both platform threads (the calls block in the
 * kernel and would hold a virtual thread's carrier). {@link #close} from any thread shuts the socket down,
 * which wakes both: a woken read or write throws {@link AsynchronousCloseException}.
 */
final class NativeStreamChannel implements ByteChannel {
    private static final int SCRATCH = 64 * 1024;

    private final FdHandle handle;
    private final NativeScratch readScratch = new NativeScratch();
    private final NativeScratch writeScratch = new NativeScratch();
    private final int msgNosignal;

    NativeStreamChannel(int fd, Platform p) {
        this.handle = new FdHandle(fd);
        this.msgNosignal = p.constants().msgNosignal();
    }

    FdHandle handle() {
        return handle;
    }

    /** @return bytes read, or -1 at the end of the stream */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        int fd = handle.enter();
        try {
            int want = dst.remaining();
            if (want == 0) {
                return 0;
            }
            long n;
            if (dst.isDirect()) {
                n = LibC.recvRaw(fd, MemorySegment.ofBuffer(dst), want, 0);
            } else {
                MemorySegment tmp = readScratch.ensure(Math.min(want, SCRATCH));
                n = LibC.recvRaw(fd, tmp, tmp.byteSize(), 0);
                if (n > 0) {
                    MemorySegment.copy(tmp, 0, MemorySegment.ofBuffer(dst), 0, n);
                }
            }
            if (!handle.isOpen()) {
                throw new AsynchronousCloseException();
            }
            LibC.check("recv", n);
            if (n == 0) {
                return -1;
            }
            dst.position(dst.position() + (int) n);
            return (int) n;
        } finally {
            handle.exit();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int fd = handle.enter();
        try {
            int total = 0;
            while (src.hasRemaining()) {
                long n;
                if (src.isDirect()) {
                    n = LibC.sendRaw(fd, MemorySegment.ofBuffer(src), src.remaining(), msgNosignal);
                } else {
                    int chunk = Math.min(src.remaining(), SCRATCH);
                    MemorySegment tmp = writeScratch.ensure(chunk);
                    MemorySegment.copy(MemorySegment.ofBuffer(src), 0, tmp, 0, chunk);
                    n = LibC.sendRaw(fd, tmp, chunk, msgNosignal);
                }
                if (!handle.isOpen()) {
                    throw new AsynchronousCloseException();
                }
                LibC.check("send", n);
                src.position(src.position() + (int) n);
                total += (int) n;
            }
            return total;
        } finally {
            handle.exit();
        }
    }

    /** Half-close: the peer reads end of stream; reading here goes on. */
    void shutdownOutput() throws IOException {
        int fd = handle.enter();
        try {
            LibC.check("shutdown", LibC.shutdownRaw(fd, OsConstants.SHUT_WR));
        } finally {
            handle.exit();
        }
    }

    @Override
    public boolean isOpen() {
        return handle.isOpen();
    }

    @Override
    public void close() {
        handle.close(UnixSockets::shutdown);
    }
}
