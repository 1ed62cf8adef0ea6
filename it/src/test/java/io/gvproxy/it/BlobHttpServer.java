package io.gvproxy.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server whose {@code GET /blob/BYTES} answers with the first BYTES (a multiple of 64 KiB) of the
 * {@link SeededChunks} stream for {@link #SEED}, so a client's SHA-256 can be checked against
 * {@link #sha256(long)}. Runs in the test JVM ({@link #start}) or, as {@code main ADDRESS PORT}, inside a
 * namespace, where it prints {@code LISTENING <port>} once bound and serves until killed.
 */
public final class BlobHttpServer implements AutoCloseable {
    static final long SEED = 50;
    static final String READY = "LISTENING";

    private final HttpServer http;
    private final ExecutorService executor;

    private BlobHttpServer(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    static BlobHttpServer start(InetSocketAddress bind) throws IOException {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        HttpServer http = HttpServer.create(bind, 128);
        http.setExecutor(executor);
        http.createContext("/blob/", BlobHttpServer::serve);
        http.start();
        return new BlobHttpServer(http, executor);
    }

    int port() {
        return http.getAddress().getPort();
    }

    /** The SHA-256 (hex) of {@code GET /blob/BYTES}. */
    static String sha256(long bytes) {
        return SeededChunks.sha256(SEED, bytes);
    }

    private static void serve(HttpExchange ex) throws IOException {
        long bytes;
        try {
            bytes = SeededChunks.checkedLength(Long.parseLong(ex.getRequestURI().getPath().substring("/blob/".length())));
        } catch (IllegalArgumentException e) {
            ex.sendResponseHeaders(400, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(200, bytes);
        byte[] chunk = new byte[SeededChunks.CHUNK];
        try (OutputStream out = ex.getResponseBody()) {
            for (long i = 0; i < bytes / SeededChunks.CHUNK; i++) {
                SeededChunks.chunk(SEED, i, chunk);
                out.write(chunk);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        BlobHttpServer server = start(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])));
        System.out.println(READY + " " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
