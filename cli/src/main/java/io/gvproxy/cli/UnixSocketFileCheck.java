package io.gvproxy.cli;

import io.gvproxy.ffm.NativeException;
import io.gvproxy.ffm.UnixSocketFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * What the unixpacket and unixgram listeners do with an existing path, as {@link BoundServerSocket} does for
 * stream sockets: a socket file nobody has bound any more (left by a crashed gvproxy) is replaced, a live one or
 * any other file is refused.
 */
final class UnixSocketFileCheck {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFileCheck() {
    }

    /** Removes {@code path} if it is a stale socket file of {@code sockType}; throws if it must not be replaced. */
    static void removeStale(Path path, int sockType, String prefix, LogrusLogger log) throws StartupException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new StartupException(prefix + StartupException.reason(e));
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new StartupException(prefix + "bind: address already in use (file exists and is not a socket)");
        }
        boolean stale;
        try {
            stale = UnixSocketFiles.isStale(path, sockType);
        } catch (NativeException e) {
            throw new StartupException(prefix + e.getMessage());
        }
        if (!stale) {
            throw new StartupException(prefix + "bind: address already in use (another process is using it)");
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new StartupException(prefix + "cannot remove stale socket: " + StartupException.reason(e));
        }
        log.info("removed stale socket " + path);
    }

    /** Mode 0600 on a socket file just bound, as for the stream listeners. */
    static void makePrivate(Path path, String prefix) throws StartupException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new StartupException(prefix + "chmod: " + StartupException.reason(e));
        }
    }
}
