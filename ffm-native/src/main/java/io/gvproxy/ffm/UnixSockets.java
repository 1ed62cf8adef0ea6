package io.gvproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Opening, binding and connecting AF_UNIX sockets by path; shared by the unix links. */
final class UnixSockets {
    private UnixSockets() {
    }

    /** A close-on-exec AF_UNIX socket of {@code type} (SOCK_DGRAM, SOCK_SEQPACKET, ...). */
    static int open(Platform p, int type, boolean nonBlocking) throws NativeException {
        OsConstants k = p.constants();
        int flags = k.sockCloexec() | (nonBlocking ? k.sockNonblock() : 0);
        int fd = LibC.socket(k.afUnix(), type | flags, 0);
        if (k.sockCloexec() == 0) {
            try {
                LibC.setCloexec(fd);
            } catch (NativeException e) {
                LibC.closeQuietly(fd);
                throw e;
            }
        }
        return fd;
    }

    static void bind(Platform p, int fd, Path path) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            SockaddrUn un = p.sockaddrUn();
            MemorySegment addr = a.allocate(un.layout());
            int len = un.encode(addr, p.constants().afUnix(), path.toString());
            LibC.check("bind " + path, LibC.bindRaw(fd, addr, len));
        }
    }

    static void connect(Platform p, int fd, Path path) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            SockaddrUn un = p.sockaddrUn();
            MemorySegment addr = a.allocate(un.layout());
            int len = un.encode(addr, p.constants().afUnix(), path.toString());
            LibC.check("connect", LibC.connectRaw(fd, addr, len));
        }
    }

    /** Opens a socket of {@code type} connected to {@code path}; the fd is closed on failure. */
    static int openConnected(Platform p, int type, Path path) throws NativeException {
        int fd = open(p, type, false);
        try {
            connect(p, fd, path);
            return fd;
        } catch (NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
    }

    /** shutdown(SHUT_RDWR), the one thing that wakes a thread blocked in recv/send/accept on a socket. */
    static void shutdown(int fd) {
        LibC.shutdownRaw(fd, Platform.current().constants().shutRdwr());
    }
}
