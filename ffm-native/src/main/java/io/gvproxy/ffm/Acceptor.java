package io.gvproxy.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;

/**
 * The accept loop of a non-blocking listening socket. It polls the socket together with a {@link Waker},
 * because shutdown does not reliably wake accept on every family (vsock reports ENOTCONN for a listening
 * socket); {@link #close()} wakes a thread blocked in {@link #accept()}, which then throws
 * {@link AsynchronousCloseException}. Accept blocks: call it from a platform thread.
 */
final class Acceptor {
    private final FdHandle handle;
    private final Waker waker;
    private final int acceptFlags;
    private final int eagain;

    /** Takes ownership of {@code listenFd} (non-blocking) once constructed; on failure the caller closes it. */
    Acceptor(int listenFd, Platform p) throws NativeException {
        this.waker = new Waker();
        this.handle = new FdHandle(listenFd, waker::close);
        this.acceptFlags = p.constants().sockCloexec();
        this.eagain = p.constants().eagain();
    }

    FdHandle handle() {
        return handle;
    }

    /** Blocks until a connection arrives and returns its (blocking, close-on-exec) fd. */
    int accept() throws IOException {
        int fd = handle.enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(PollFd.LAYOUT, 2);
            for (;;) {
                PollFd.set(fds, 0, fd, OsConstants.POLLIN);
                PollFd.set(fds, 1, waker.fd(), OsConstants.POLLIN);
                int r = LibC.pollRaw(fds, 2, -1);
                if (!handle.isOpen()) {
                    throw new AsynchronousCloseException();
                }
                LibC.check("poll", r);
                int c = LibC.accept4Raw(fd, acceptFlags);
                if (c == -eagain) {
                    continue;
                }
                return LibC.checkInt("accept", c);
            }
        } finally {
            handle.exit();
        }
    }

    boolean isOpen() {
        return handle.isOpen();
    }

    /** True for the call that closed it. */
    boolean close() {
        return handle.close(fd -> waker.wake());
    }
}
