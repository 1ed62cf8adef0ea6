package io.gvproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A Linux eventfd polled next to an fd that shutdown cannot wake (a tap device, a listening vsock socket):
 * {@link #wake()} makes it readable for good, so every later poll returns at once.
 */
final class Waker {
    private final int fd;

    Waker() throws NativeException {
        Platform.requireLinux("eventfd");
        this.fd = LibC.checkInt("eventfd", LibC.eventfdRaw(0, OsConstants.Linux.EFD_CLOEXEC | OsConstants.Linux.EFD_NONBLOCK));
    }

    int fd() {
        return fd;
    }

    void wake() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocateFrom(ValueLayout.JAVA_LONG, 1L);
            LibC.writeRaw(fd, one, 8);
        }
    }

    /** Only after every poller has left (see {@link FdHandle}). */
    void close() {
        LibC.closeQuietly(fd);
    }
}
