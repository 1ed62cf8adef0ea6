package io.gvproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The receiving end of gvproxy's {@code -notification unix://PATH}, as a client of upstream would write it: a unix
 * stream listener where each accepted connection carries one message, read to end of stream (at most
 * {@value #MAX_MESSAGE} bytes, 10 s) and queued whole, so a test sees exactly what was sent per connection.
 */
final class NotificationSocket implements AutoCloseable {
    private static final int MAX_MESSAGE = 4096;
    private static final Duration READ_LIMIT = Duration.ofSeconds(10);

    private final Path path;
    private final ServerSocketChannel listener;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    NotificationSocket(Path path) throws IOException {
        this.path = path;
        this.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(path));
        this.acceptor = Thread.ofPlatform().daemon().name("notification-receiver").start(this::acceptAll);
    }

    /** The next message, in arrival order, or null when none came within {@code limit}. */
    String poll(Duration limit) throws InterruptedException {
        return messages.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sequential on purpose: gvproxy sends one message per connection, one after another, so order is kept. */
    private void acceptAll() {
        while (listener.isOpen()) {
            SocketChannel c;
            try {
                c = listener.accept();
            } catch (IOException e) {
                return;
            }
            // A channel read has no timeout: a sender that never closes is cut off by closing the channel.
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(READ_LIMIT);
                    c.close();
                } catch (InterruptedException | IOException e) {
                    // Read in time (interrupted) or already closed.
                }
            });
            try (c) {
                InputStream in = Channels.newInputStream(c);
                byte[] message = in.readNBytes(MAX_MESSAGE);
                messages.add(new String(message, StandardCharsets.UTF_8)
                        + (in.read() >= 0 ? "...(more than " + MAX_MESSAGE + " bytes)" : ""));
            } catch (IOException e) {
                messages.add("(receive failed: " + e + ")");
            } finally {
                watchdog.interrupt();
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(path);
    }
}
