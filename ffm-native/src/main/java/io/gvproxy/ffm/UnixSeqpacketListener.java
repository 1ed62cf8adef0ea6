package io.gvproxy.ffm;

import io.gvproxy.core.stats.Counters;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A listening AF_UNIX SOCK_SEQPACKET socket for {@code -listen-bess unixpacket://PATH}. Like Go's
 * {@code net.ListenUnix}, binding fails if the path exists, and {@link #close} removes the socket file.
 * Linux only.
 *
 * <p>Threading: {@link #accept} blocks through FFM; call it from a platform thread. {@link #close} from any
 * thread wakes it (it then throws {@link java.nio.channels.AsynchronousCloseException}).
 */
public final class UnixSeqpacketListener implements Closeable {
    private final Path path;
    private final Acceptor acceptor;
    private final Counters counters;
    private final String counterPrefix;

    private UnixSeqpacketListener(Path path, Acceptor acceptor, Counters counters, String counterPrefix) {
        this.path = path;
        this.acceptor = acceptor;
        this.counters = counters;
        this.counterPrefix = counterPrefix;
    }

    /**
     * Binds and listens at {@code path}. Links accepted here count their drops under
     * {@code counterPrefix} (e.g. {@code link.bess}).
     */
    public static UnixSeqpacketListener bind(Path path, Counters counters, String counterPrefix) throws IOException {
        Platform p = Platform.requireLinux("unixpacket");
        int fd = UnixSockets.open(p, p.constants().sockSeqpacket(), true);
        try {
            UnixSockets.bind(p, fd, path);
        } catch (NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
        try {
            LibC.check("listen", LibC.listenRaw(fd, 16));
            return new UnixSeqpacketListener(path, new Acceptor(fd, p), counters, counterPrefix);
        } catch (NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            LibC.unlinkRaw(path.toString());
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Blocks until a peer connects. */
    public SeqpacketLink accept() throws IOException {
        int fd = acceptor.accept();
        return new SeqpacketLink(fd, "unixpacket://" + path, counters, counterPrefix);
    }

    /** Stops accepting, wakes a blocked {@link #accept}, removes the socket file; idempotent. */
    @Override
    public void close() {
        if (acceptor.close()) {
            LibC.unlinkRaw(path.toString());
        }
    }
}
