package io.gvproxy.ffm;

import java.nio.file.Path;

/**
 * Socket-file helpers for callers outside this package: whether an existing AF_UNIX socket file is stale (nobody
 * bound to it any more, as after a crash), and connecting to one to get a raw fd that is handed to a child process.
 * Linux and macOS.
 */
public final class UnixSocketFiles {
    // Connecting to a live socket of another type; not in OsConstants, which the other classes share.
    private static final int EPROTOTYPE_LINUX = 91;
    private static final int EPROTOTYPE_MACOS = 41;

    private UnixSocketFiles() {
    }

    /**
     * True when connecting a socket of {@code sockType} to {@code path} is refused (ECONNREFUSED): the file is
     * left over and may be replaced. A live socket of another type (EPROTOTYPE) is not stale. A connect that
     * succeeds counts as live; for a SOCK_SEQPACKET or stream listener the owner sees a connection that closes
     * at once, which is how the stream listeners probe too.
     *
     * @throws NativeException for any other failure (ENOENT, EACCES, ...)
     */
    public static boolean isStale(Path path, int sockType) throws NativeException {
        Platform p = Platform.current();
        int fd = UnixSockets.open(p, sockType, false);
        try {
            UnixSockets.connect(p, fd, path);
            return false;
        } catch (NativeException e) {
            if (e.errno() == p.constants().econnrefused()) {
                return true;
            }
            int eprototype = p.os() == Os.LINUX ? EPROTOTYPE_LINUX : EPROTOTYPE_MACOS;
            if (e.errno() == eprototype) {
                return false;
            }
            throw e;
        } finally {
            LibC.closeQuietly(fd);
        }
    }

    /**
     * A blocking, close-on-exec socket of {@code sockType} connected to {@code path}; the caller owns the fd and
     * closes it with {@link LibC#closeQuietly}. Duplicated into a child with posix_spawn's dup2, it loses
     * close-on-exec there.
     */
    public static int connect(Path path, int sockType) throws NativeException {
        return UnixSockets.openConnected(Platform.current(), sockType, path);
    }
}
