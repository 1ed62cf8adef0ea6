package io.gvproxy.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on the host's 127.0.0.1 (an ephemeral port) serving one file of {@link SeededChunks} at
 * {@code /<PATH>}: guests fetch it through gvproxy's NAT at 192.168.127.254 and compare its SHA-256 with
 * {@link #sha256()}. Every request is counted, so a test can tell that the bytes came from here.
 */
final class HostFileServer implements AutoCloseable {
    static final String PATH = "seeded.bin";

    private final HttpServer http;
    private final ExecutorService executor;
    private final long bytes;
    private final String sha256;
    private final AtomicInteger requests = new AtomicInteger();

    /** Serves {@code bytes} (a multiple of {@link SeededChunks#CHUNK}) of the stream for {@code seed}. */
    HostFileServer(long bytes, long seed) {
        this.bytes = SeededChunks.checkedLength(bytes);
        this.sha256 = SeededChunks.sha256(seed, bytes);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            this.http = start(seed);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot start the HTTP server on 127.0.0.1", e);
        }
    }

    private HttpServer start(long seed) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(executor);
        server.createContext("/" + PATH, ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, bytes);
            byte[] chunk = new byte[SeededChunks.CHUNK];
            try (OutputStream out = ex.getResponseBody()) {
                for (long i = 0; i < bytes / SeededChunks.CHUNK; i++) {
                    SeededChunks.chunk(seed, i, chunk);
                    out.write(chunk);
                }
            }
        });
        server.start();
        return server;
    }

    int port() {
        return http.getAddress().getPort();
    }

    long bytes() {
        return bytes;
    }

    String sha256() {
        return sha256;
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
