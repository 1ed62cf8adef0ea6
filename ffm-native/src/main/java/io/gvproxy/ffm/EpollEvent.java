package io.gvproxy.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * Linux {@code struct epoll_event}: packed on x86_64 (12 bytes, {@code data} at 4, unaligned), naturally
 * aligned on aarch64 (16 bytes, {@code data} at 8). For an epoll poller of non-blocking fds.
 */
public final class EpollEvent {
    public static final StructLayout X86_64 = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("events"),
            ValueLayout.JAVA_LONG_UNALIGNED.withName("data")).withName("epoll_event");
    public static final StructLayout AARCH64 = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("events"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.JAVA_LONG.withName("data")).withName("epoll_event");

    private EpollEvent() {
    }

    public static StructLayout of(Platform p) {
        if (p.os() != Os.LINUX) {
            throw new UnsupportedOperationException("epoll is not supported on this OS: " + p.os());
        }
        return p.arch() == Arch.X86_64 ? X86_64 : AARCH64;
    }
}
