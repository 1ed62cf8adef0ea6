package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The far end of a QEMU stream netdev that answers nothing: it only counts the guest's frames
 * (4-byte big-endian length framing). Lets the rig prove its own guest boots and checks work
 * independently of gvproxy.
 */
final class SilentQemuPeer implements AutoCloseable {
    private static final int MAX_FRAME = 65_536;

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    SilentQemuPeer(Path path) {
        this.path = path;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofPlatform().daemon().name("silent-peer").start(this::serve);
    }

    QemuNetdev netdev() {
        return QemuNetdev.unixStream(path);
    }

    long frames() {
        return frames.get();
    }

    long malformed() {
        return malformed.get();
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel guest = server.accept()) {
                ByteBuffer length = ByteBuffer.allocate(4);
                ByteBuffer frame = ByteBuffer.allocate(MAX_FRAME);
                while (readFully(guest, length.clear())) {
                    int size = length.getInt(0);
                    if (size <= 0 || size > MAX_FRAME) {
                        malformed.incrementAndGet();
                        break;
                    }
                    if (!readFully(guest, frame.clear().limit(size))) {
                        break;
                    }
                    frames.incrementAndGet();
                }
            } catch (IOException e) {
                // Closed by close(), or the guest went away: either ends this connection.
            }
        }
    }

    private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(5_000);
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
