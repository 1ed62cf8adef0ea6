package io.gvproxy.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test receiver for -notification: one connection per event, each carrying one line. */
final class NotificationReceiver implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path path;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Thread thread;

    NotificationReceiver(Path path) throws IOException {
        this.path = path;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        thread = Thread.ofVirtual().start(this::acceptAll);
    }

    private void acceptAll() {
        while (true) {
            try (SocketChannel ch = server.accept()) {
                String all = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
                messages.add(all);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The next connection's whole content, waiting at most 10 s. */
    String next() throws InterruptedException {
        String m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no notification within 10 s");
        }
        return m;
    }

    /** Nothing further arrives within the given time. */
    String poll(long millis) throws InterruptedException {
        return messages.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        server.close();
        thread.join(5000);
        Files.deleteIfExists(path);
    }
}
