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
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Starts a child process with chosen file descriptors through {@code posix_spawnp}, which ProcessBuilder
 * cannot do (qemu-wrapper hands QEMU a connected socket as fd 3). The child inherits stdin, stdout and stderr,
 * gets this process's environment and an empty signal mask; every other descriptor of the JVM is close-on-exec
 * and stays behind. Linux and macOS.
 */
public final class Spawn {
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on 64-bit; macOS uses one pointer
    // for each. The blocks are larger than both and zeroed, so the init functions find no stale content.
    private static final long FILE_ACTIONS_BYTES = 256;
    private static final long ATTR_BYTES = 512;
    private static final long SIGSET_BYTES = 128;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final int EINTR = 4;

    private static final MethodHandle SPAWNP = plain("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT = plain("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = plain("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DUP2 = plain("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ATTR_INIT = plain("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = plain("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = plain("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = plain("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = plain("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle WAITPID = withErrno("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WAITID = withErrno("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = withErrno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private Spawn() {
    }

    private static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LIBC.find(name).map(s -> LINKER.downcallHandle(s, fd)).orElse(null);
    }

    private static MethodHandle withErrno(String name, FunctionDescriptor fd) {
        return LIBC.find(name).map(s -> LINKER.downcallHandle(s, fd, ERRNO)).orElse(null);
    }

    /**
     * Starts {@code command} (the program is looked up on PATH when it has no slash) with each {@code fds} entry
     * {@code target -> source} applied as dup2(source, target) in the child. Sources stay open here.
     */
    public static SpawnedProcess start(List<String> command, Map<Integer, Integer> fds) throws NativeException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        if (SPAWNP == null || WAITPID == null || WAITID == null || KILL == null) {
            throw Platform.unsupported("posix_spawnp()");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment actions = a.allocate(FILE_ACTIONS_BYTES, 16);
            MemorySegment attr = a.allocate(ATTR_BYTES, 16);
            MemorySegment sigset = a.allocate(SIGSET_BYTES, 16);
            MemorySegment pid = a.allocate(JAVA_INT);
            check("posix_spawn_file_actions_init", (int) FA_INIT.invokeExact(actions));
            try {
                check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attr));
                try {
                    for (Map.Entry<Integer, Integer> e : fds.entrySet()) {
                        check("posix_spawn_file_actions_adddup2",
                                (int) FA_DUP2.invokeExact(actions, (int) e.getValue(), (int) e.getKey()));
                    }
                    // JVM threads block some signals; QEMU must see SIGTERM and SIGINT.
                    int emptied = (int) SIGEMPTYSET.invokeExact(sigset);
                    check("posix_spawnattr_setsigmask", (int) ATTR_SETSIGMASK.invokeExact(attr, sigset));
                    check("posix_spawnattr_setflags", (int) ATTR_SETFLAGS.invokeExact(attr, POSIX_SPAWN_SETSIGMASK));
                    MemorySegment argv = strings(a, command);
                    MemorySegment envp = strings(a, System.getenv().entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue()).toList());
                    MemorySegment file = a.allocateFrom(command.getFirst(), StandardCharsets.UTF_8);
                    int r = (int) SPAWNP.invokeExact(pid, file, actions, attr, argv, envp);
                    if (r != 0) {
                        throw LibC.error("posix_spawnp " + command.getFirst(), r);
                    }
                    return new SpawnedProcess(pid.get(JAVA_INT, 0));
                } finally {
                    int ignored = (int) ATTR_DESTROY.invokeExact(attr);
                }
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(actions);
            }
        } catch (NativeException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(String op, int result) throws NativeException {
        if (result != 0) {
            throw LibC.error(op, result);
        }
    }

    /** A NULL-terminated {@code char*[]} of NUL-terminated UTF-8 strings in {@code a}. */
    private static MemorySegment strings(Arena a, List<String> values) {
        MemorySegment array = a.allocate(ADDRESS, values.size() + 1);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, a.allocateFrom(values.get(i), StandardCharsets.UTF_8));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO_VALUE.get(capture, 0L);
    }

    /** waitid(P_PID, pid, WEXITED | WNOWAIT): blocks until the child ended, leaving it a zombie. */
    static int awaitExitKeepingZombie(int pid) {
        MemorySegment c = LibC.capture();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment siginfo = a.allocate(128, 8);
            Platform p = Platform.current();
            int pPid = p.os() == Os.LINUX ? 1 : 0;
            int flags = p.os() == Os.LINUX ? 0x4 | 0x01000000 : 0x4 | 0x20;
            int r;
            do {
                r = (int) WAITID.invokeExact(c, pPid, pid, siginfo, flags);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** waitpid(pid, &status, 0); the raw status or -errno. */
    static int reap(int pid, MemorySegment status) {
        MemorySegment c = LibC.capture();
        try {
            int r;
            do {
                r = (int) WAITPID.invokeExact(c, pid, status, 0);
            } while (r < 0 && errno(c) == EINTR);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int kill(int pid, int signal) {
        MemorySegment c = LibC.capture();
        try {
            int r = (int) KILL.invokeExact(c, pid, signal);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
