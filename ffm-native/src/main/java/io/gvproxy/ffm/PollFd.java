package io.gvproxy.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/** {@code struct pollfd} (8 bytes, the same on Linux and macOS): {@code int fd; short events; short revents}. */
public final class PollFd {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_SHORT.withName("events"),
            ValueLayout.JAVA_SHORT.withName("revents")).withName("pollfd");
    public static final long SIZE = LAYOUT.byteSize();

    private PollFd() {
    }

    public static void set(MemorySegment fds, int index, int fd, int events) {
        long base = index * SIZE;
        fds.set(ValueLayout.JAVA_INT, base, fd);
        fds.set(ValueLayout.JAVA_SHORT, base + 4, (short) events);
        fds.set(ValueLayout.JAVA_SHORT, base + 6, (short) 0);
    }

    public static int revents(MemorySegment fds, int index) {
        return Short.toUnsignedInt(fds.get(ValueLayout.JAVA_SHORT, index * SIZE + 6));
    }
}
