package io.gvproxy.core.link;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Two connected unix-domain stream sockets through a listener on a fresh temporary path. */
record UnixSocketPair(SocketChannel client, SocketChannel server) implements AutoCloseable {
    static UnixSocketPair open() throws IOException {
        Path dir = Files.createTempDirectory("links");
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
            SocketChannel server = listener.accept();
            return new UnixSocketPair(client, server);
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
