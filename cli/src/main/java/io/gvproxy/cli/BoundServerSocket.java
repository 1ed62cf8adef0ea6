package io.gvproxy.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * A listening stream socket for a {@code unix://} or {@code tcp://} URL. A unix socket file is created with mode
 * 0600 and removed on close if it is still the file this process created. An existing socket file that nobody
 * listens on (left by a crashed gvproxy) is replaced; a live one is refused.
 */
final class BoundServerSocket implements AutoCloseable {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final ServerSocketChannel channel;
    private final Path file;
    private final Object fileKey;

    private BoundServerSocket(ServerSocketChannel channel, Path file, Object fileKey) {
        this.channel = channel;
        this.file = file;
        this.fileKey = fileKey;
    }

    static BoundServerSocket bind(ListenUrl url, LogrusLogger log) throws StartupException {
        return switch (url.scheme()) {
            case UNIX -> bindUnix(url, log);
            case TCP -> bindTcp(url);
            default -> throw new StartupException("listen " + url + ": only unix:// and tcp:// stream sockets here");
        };
    }

    private static BoundServerSocket bindUnix(ListenUrl url, LogrusLogger log) throws StartupException {
        Path path = url.path();
        String prefix = "listen unix " + path + ": ";
        removeStaleSocket(path, prefix, log);
        ServerSocketChannel ch = null;
        boolean bound = false;
        try {
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(path));
            bound = true;
            // With the usual umask the fresh socket is not writable by others, so no one can connect before this.
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new BoundServerSocket(ch, path, key);
        } catch (IOException | UnsupportedOperationException e) {
            closeQuietly(ch);
            if (bound) {
                deleteQuietly(path);
            }
            throw new StartupException(prefix + "bind: " + StartupException.reason(e));
        }
    }

    private static void removeStaleSocket(Path path, String prefix, LogrusLogger log) throws StartupException {
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
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException e) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException de) {
                throw new StartupException(prefix + "cannot remove stale socket: " + StartupException.reason(de));
            }
            log.info("removed stale socket " + path);
            return;
        } catch (IOException e) {
            throw new StartupException(prefix + StartupException.reason(e));
        }
        throw new StartupException(prefix + "bind: address already in use (another process is listening)");
    }

    private static BoundServerSocket bindTcp(ListenUrl url) throws StartupException {
        String prefix = "listen tcp " + url.toString().substring("tcp://".length()) + ": ";
        InetSocketAddress address = url.host().isEmpty()
                ? new InetSocketAddress(url.port())
                : new InetSocketAddress(url.host(), url.port());
        if (address.isUnresolved()) {
            throw new StartupException(prefix + "lookup " + url.host() + ": no such host");
        }
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open();
            // Go sets SO_REUSEADDR on listeners, so a restart right after a crash can rebind at once.
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(address);
            return new BoundServerSocket(ch, null, null);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StartupException(prefix + "bind: " + StartupException.reason(e));
        }
    }

    ServerSocketChannel channel() {
        return channel;
    }

    SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public void close() {
        closeQuietly(channel);
        if (file != null) {
            try {
                Object now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                // Another gvproxy may have replaced our file after treating it as stale; leave theirs alone.
                if (Objects.equals(now, fileKey)) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                // Already gone.
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing during cleanup; the original failure is what gets reported.
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Best effort after a failed bind.
        }
    }
}
