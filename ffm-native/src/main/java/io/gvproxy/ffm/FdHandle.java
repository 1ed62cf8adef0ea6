package io.gvproxy.ffm;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Owns one file descriptor and makes closing it safe while other threads use it.
 *
 * <p>Closing an fd under a thread blocked on it does not wake that thread (it stays blocked forever), and a
 * closed number can be reused at once by an unrelated open. So every use is bracketed by {@link #enter()} /
 * {@link #exit()}; {@link #close(IntConsumer)} marks the handle closed, runs a wake-up action (shutdown, or a
 * wake-up eventfd) while the fd is still valid, and the fd is really closed by whichever thread leaves last.
 * Closing is idempotent and never blocks; only the first call returns true.
 */
final class FdHandle {
    private static final int CLOSED = Integer.MIN_VALUE;

    private final int fd;
    private final Runnable afterClose;
    // CLOSED bit plus the number of threads inside enter/exit (the closer counts as one while it wakes).
    private final AtomicInteger state = new AtomicInteger();

    FdHandle(int fd, Runnable afterClose) {
        this.fd = fd;
        this.afterClose = afterClose;
    }

    FdHandle(int fd) {
        this(fd, () -> { });
    }

    int fd() {
        return fd;
    }

    boolean isOpen() {
        return state.get() >= 0;
    }

    /** Registers a user; false once closed. */
    boolean tryEnter() {
        for (;;) {
            int s = state.get();
            if (s < 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Registers a user or throws {@link ClosedChannelException}. */
    int enter() throws ClosedChannelException {
        if (!tryEnter()) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    void exit() {
        if (state.decrementAndGet() == CLOSED) {
            release();
        }
    }

    /** Marks closed, runs {@code wake} on the still-valid fd, and closes it once no user is left. */
    boolean close(IntConsumer wake) {
        for (;;) {
            int s = state.get();
            if (s < 0) {
                return false;
            }
            if (state.compareAndSet(s, (s + 1) | CLOSED)) {
                break;
            }
        }
        try {
            wake.accept(fd);
        } finally {
            exit();
        }
        return true;
    }

    private void release() {
        LibC.closeQuietly(fd);
        afterClose.run();
    }
}
