package io.gvproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A TCP server on the host's 127.0.0.1 that takes one connection, reads it to end of stream while hashing, then
 * closes it: the receiving end of a guest's upload through gvproxy's NAT (the guest dials 192.168.127.254).
 */
final class HostHashingSink implements AutoCloseable {
    /** What arrived: byte count and SHA-256 (hex). */
    record Received(long bytes, String sha256) {
    }

    private final ServerSocket server;
    private final CompletableFuture<Received> received = new CompletableFuture<>();

    private HostHashingSink(ServerSocket server, Duration idleLimit) {
        this.server = server;
        Thread.ofPlatform().daemon().name("hashing-sink").start(() -> acceptOne(idleLimit));
    }

    /** Listens now; a connection that stays silent for {@code idleLimit} fails the result. */
    static HostHashingSink start(Duration idleLimit) {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            return new HostHashingSink(server, idleLimit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    Received await(Duration limit) throws InterruptedException, TimeoutException {
        try {
            return received.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the upload's connection failed: " + e.getCause(), e.getCause());
        }
    }

    private void acceptOne(Duration idleLimit) {
        try (server; Socket s = server.accept()) {
            s.setSoTimeout((int) idleLimit.toMillis());
            MessageDigest md = SeededChunks.sha256();
            byte[] buf = new byte[SeededChunks.CHUNK];
            long total = 0;
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                total += n;
            }
            received.complete(new Received(total, HexFormat.of().formatHex(md.digest())));
        } catch (IOException e) {
            received.completeExceptionally(e);
        }
    }

    /** Stops listening; a connection in progress ends with an error in its result. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // Already closed by the accepting thread.
        }
    }
}
