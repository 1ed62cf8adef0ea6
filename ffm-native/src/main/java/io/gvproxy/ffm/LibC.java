package io.gvproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls this package needs, linked once. Every call that can fail captures errno into a
 * per-thread segment. The {@code raw} methods return the result, or {@code -errno} on failure (the kernel
 * convention), so that hot paths can branch on expected errors (EAGAIN, EMSGSIZE) without an exception;
 * the other methods throw {@link NativeException}. EINTR is retried inside, except for {@code close}
 * (Linux releases the fd even when close reports EINTR, so retrying could close a reused number).
 *
 * <p>Every call here may block its thread in the kernel, and a virtual thread blocked in a downcall holds
 * its carrier: call blocking ones from platform threads.
 */
public final class LibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(Linker.Option.captureStateLayout()));

    private static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = link("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BIND = link("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = link("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = link("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = link("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = link("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = link("recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SEND = link("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = link("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READV = link("readv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WRITE = link("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITEV = link("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SHUTDOWN = link("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = link("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = link("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKNAME = link("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = link("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle POLL = link("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle IOCTL = link("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = link("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    // open is variadic too; two fixed arguments are correct as long as O_CREAT (which takes a mode) is never passed.
    private static final MethodHandle OPEN = link("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle EVENTFD = link("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLINK = link("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = LIBC.find("strerror")
            .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS, JAVA_INT)))
            .orElse(null);

    private LibC() {
    }

    /** Links {@code name} with errno capture; null when this libc lacks it (accept4 and eventfd on macOS). */
    private static MethodHandle link(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LIBC.find(name).map(s -> LINKER.downcallHandle(s, fd, options)).orElse(null);
    }

    private static MethodHandle require(MethodHandle h, String name) {
        if (h == null) {
            throw Platform.unsupported(name + "()");
        }
        return h;
    }

    static MemorySegment capture() {
        return CAPTURE.get();
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO_VALUE.get(capture, 0L);
    }

    // EINTR is 4 on every supported system; a constant keeps the retry check off the platform lookup.
    private static final int EINTR = 4;

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** The C library's description of {@code errno}. */
    public static String strerror(int errno) {
        if (STRERROR == null) {
            return "error " + errno;
        }
        try {
            MemorySegment p = (MemorySegment) STRERROR.invokeExact(errno);
            return p.equals(MemorySegment.NULL) ? "error " + errno : p.reinterpret(256).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static NativeException error(String op, int errno) {
        return new NativeException(op, errno, strerror(errno));
    }

    /** Throws for a raw result below zero, else returns it. */
    public static long check(String op, long raw) throws NativeException {
        if (raw < 0) {
            throw error(op, (int) -raw);
        }
        return raw;
    }

    static int checkInt(String op, long raw) throws NativeException {
        return (int) check(op, raw);
    }

    // ---- raw calls: result or -errno, EINTR retried ----

    public static int socketRaw(int domain, int type, int protocol) {
        MemorySegment c = capture();
        try {
            int r;
            do {
                r = (int) SOCKET.invokeExact(c, domain, type, protocol);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int socketpairRaw(int domain, int type, int protocol, MemorySegment fds) {
        MemorySegment c = capture();
        try {
            int r = (int) SOCKETPAIR.invokeExact(c, domain, type, protocol, fds);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int bindRaw(int fd, MemorySegment addr, int len) {
        MemorySegment c = capture();
        try {
            int r = (int) BIND.invokeExact(c, fd, addr, len);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int listenRaw(int fd, int backlog) {
        MemorySegment c = capture();
        try {
            int r = (int) LISTEN.invokeExact(c, fd, backlog);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int accept4Raw(int fd, int flags) {
        MethodHandle h = require(ACCEPT4, "accept4");
        MemorySegment c = capture();
        try {
            int r;
            do {
                r = (int) h.invokeExact(c, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** connect; an interrupted connect is not restarted but finished with poll and SO_ERROR, as POSIX asks. */
    public static int connectRaw(int fd, MemorySegment addr, int len) {
        MemorySegment c = capture();
        try {
            int r = (int) CONNECT.invokeExact(c, fd, addr, len);
            if (r >= 0) {
                return r;
            }
            int e = errno(c);
            if (e != EINTR) {
                return -e;
            }
            return finishInterruptedConnect(fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static int finishInterruptedConnect(int fd) {
        OsConstants k = Platform.current().constants();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(PollFd.LAYOUT);
            PollFd.set(p, 0, fd, OsConstants.POLLOUT);
            int r = pollRaw(p, 1, -1);
            if (r < 0) {
                return r;
            }
            int soError = getsockoptIntRaw(fd, k.solSocket(), k.soError(), a);
            if (soError < 0) {
                return soError;
            }
            return soError == 0 ? 0 : -soError;
        }
    }

    public static long recvRaw(int fd, MemorySegment buf, long len, int flags) {
        MemorySegment c = capture();
        try {
            long r;
            do {
                r = (long) RECV.invokeExact(c, fd, buf, len, flags);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** recvfrom; {@code addrlen} is an int segment holding the address buffer's size, updated by the kernel. */
    public static long recvfromRaw(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, MemorySegment addrlen) {
        MemorySegment c = capture();
        int size = addrlen.get(JAVA_INT, 0);
        try {
            long r;
            do {
                addrlen.set(JAVA_INT, 0, size);
                r = (long) RECVFROM.invokeExact(c, fd, buf, len, flags, addr, addrlen);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long sendRaw(int fd, MemorySegment buf, long len, int flags) {
        MemorySegment c = capture();
        try {
            long r;
            do {
                r = (long) SEND.invokeExact(c, fd, buf, len, flags);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long sendtoRaw(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrlen) {
        MemorySegment c = capture();
        try {
            long r;
            do {
                r = (long) SENDTO.invokeExact(c, fd, buf, len, flags, addr, addrlen);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long readvRaw(int fd, MemorySegment iov, int iovcnt) {
        MemorySegment c = capture();
        try {
            long r;
            do {
                r = (long) READV.invokeExact(c, fd, iov, iovcnt);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long writevRaw(int fd, MemorySegment iov, int iovcnt) {
        MemorySegment c = capture();
        try {
            long r;
            do {
                r = (long) WRITEV.invokeExact(c, fd, iov, iovcnt);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long writeRaw(int fd, MemorySegment buf, long len) {
        MemorySegment c = capture();
        try {
            long r;
            do {
                r = (long) WRITE.invokeExact(c, fd, buf, len);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int closeRaw(int fd) {
        MemorySegment c = capture();
        try {
            int r = (int) CLOSE.invokeExact(c, fd);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int shutdownRaw(int fd, int how) {
        MemorySegment c = capture();
        try {
            int r = (int) SHUTDOWN.invokeExact(c, fd, how);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int setsockoptIntRaw(int fd, int level, int name, int value) {
        MemorySegment c = capture();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(JAVA_INT, value);
            int r = (int) SETSOCKOPT.invokeExact(c, fd, level, name, v, 4);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static int getsockoptIntRaw(int fd, int level, int name, Arena a) {
        MemorySegment c = capture();
        MemorySegment v = a.allocate(JAVA_INT);
        MemorySegment len = a.allocateFrom(JAVA_INT, 4);
        try {
            int r = (int) GETSOCKOPT.invokeExact(c, fd, level, name, v, len);
            return r < 0 ? -errno(c) : v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** getsockopt for an int option; a negative result is -errno (no int option here is negative). */
    public static int getsockoptIntRaw(int fd, int level, int name) {
        try (Arena a = Arena.ofConfined()) {
            return getsockoptIntRaw(fd, level, name, a);
        }
    }

    public static int getsocknameRaw(int fd, MemorySegment addr, MemorySegment addrlen) {
        MemorySegment c = capture();
        try {
            int r = (int) GETSOCKNAME.invokeExact(c, fd, addr, addrlen);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int getpeernameRaw(int fd, MemorySegment addr, MemorySegment addrlen) {
        MemorySegment c = capture();
        try {
            int r = (int) GETPEERNAME.invokeExact(c, fd, addr, addrlen);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** poll; an interrupted poll is restarted with the full timeout (callers bound their waits themselves). */
    public static int pollRaw(MemorySegment fds, long nfds, int timeoutMillis) {
        MemorySegment c = capture();
        try {
            int r;
            do {
                r = (int) POLL.invokeExact(c, fds, nfds, timeoutMillis);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int ioctlRaw(int fd, long request, MemorySegment arg) {
        MemorySegment c = capture();
        try {
            int r;
            do {
                r = (int) IOCTL.invokeExact(c, fd, request, arg);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int fcntlRaw(int fd, int cmd, int arg) {
        MemorySegment c = capture();
        try {
            int r;
            do {
                r = (int) FCNTL.invokeExact(c, fd, cmd, arg);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int openRaw(String path, int flags) {
        MemorySegment c = capture();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path, StandardCharsets.UTF_8);
            int r;
            do {
                r = (int) OPEN.invokeExact(c, p, flags);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int eventfdRaw(int initval, int flags) {
        MethodHandle h = require(EVENTFD, "eventfd");
        MemorySegment c = capture();
        try {
            int r = (int) h.invokeExact(c, initval, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int unlinkRaw(String path) {
        MemorySegment c = capture();
        try (Arena a = Arena.ofConfined()) {
            int r = (int) UNLINK.invokeExact(c, a.allocateFrom(path, StandardCharsets.UTF_8));
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---- checked wrappers ----

    public static int socket(int domain, int type, int protocol) throws NativeException {
        return checkInt("socket", socketRaw(domain, type, protocol));
    }

    public static void setsockoptInt(int fd, int level, int name, int value) throws NativeException {
        check("setsockopt", setsockoptIntRaw(fd, level, name, value));
    }

    public static int getsockoptInt(int fd, int level, int name) throws NativeException {
        return checkInt("getsockopt", getsockoptIntRaw(fd, level, name));
    }

    /** Closes and ignores the result: after close the number is released whatever it reports. */
    public static void closeQuietly(int fd) {
        closeRaw(fd);
    }

    /** Sets FD_CLOEXEC where the OS has no SOCK_CLOEXEC flag. */
    static void setCloexec(int fd) throws NativeException {
        check("fcntl", fcntlRaw(fd, OsConstants.F_SETFD, OsConstants.FD_CLOEXEC));
    }
}
