package io.gvproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.io.InterruptedIOException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host's end of {@link ConnectionLoad}. Per connection: a header line with the number of bytes to send back,
 * then the client's payload up to its end of stream (a half-close); only after that end of stream the server
 * answers {@code received=N sha256=HEX\n} followed by that many bytes of {@link SeededChunks} for {@link #SEED},
 * and closes. So every reply proves that the client's FIN arrived and that the other direction still delivered.
 * Counts accepted connections and the most open at once. With {@link #holdRepliesUntilOpen} it answers nobody
 * until that many connections have been open at once, so that a test of N concurrent connections measures what the
 * proxy holds open, not how fast this server's accept loop drains its backlog while early clients already finish.
 */
final class ReplyServer implements AutoCloseable {
    static final long SEED = 7;
    private static final int BACKLOG = 4096;
    private static final int HEADER_LIMIT = 20;
    private static final int READ_TIMEOUT_MS = 120_000;

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peakOpen = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Object openChanged = new Object();
    private volatile int holdUntilOpen;

    private ReplyServer(ServerSocket server) {
        this.server = server;
        Thread.ofVirtual().name("reply-accept-" + server.getLocalPort()).start(this::acceptLoop);
    }

    /** Listens on {@code address}, an ephemeral port. */
    static ReplyServer start(InetAddress address) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(address, 0), BACKLOG);
        return new ReplyServer(s);
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    int peakOpen() {
        return peakOpen.get();
    }

    /** From now on, replies wait until {@code n} connections have been open at once (0: reply at once). */
    void holdRepliesUntilOpen(int n) {
        holdUntilOpen = n;
        synchronized (openChanged) {
            openChanged.notifyAll();
        }
    }

    /** Connections that ended with an error on this side (a malformed header, a reset, a timeout). */
    int failed() {
        return failed.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                if (holdUntilOpen > 0) {
                    synchronized (openChanged) {
                        openChanged.notifyAll();
                    }
                }
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            InputStream in = socket.getInputStream();
            long replyBytes = readHeader(in);
            if (replyBytes != 0) {
                SeededChunks.checkedLength(replyBytes);
            }
            MessageDigest md = SeededChunks.sha256();
            byte[] buf = new byte[SeededChunks.CHUNK];
            long received = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                received += n;
            }
            awaitHeldOpen();
            OutputStream out = socket.getOutputStream();
            out.write(("received=" + received + " sha256=" + HexFormat.of().formatHex(md.digest()) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (long i = 0; i < replyBytes / SeededChunks.CHUNK; i++) {
                SeededChunks.chunk(SEED, i, buf);
                out.write(buf);
            }
            out.flush();
        } catch (IOException | IllegalArgumentException e) {
            failed.incrementAndGet();
        } finally {
            open.decrementAndGet();
        }
    }

    private void awaitHeldOpen() throws IOException {
        long deadline = System.nanoTime() + READ_TIMEOUT_MS * 1_000_000L;
        synchronized (openChanged) {
            while (peakOpen.get() < holdUntilOpen) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    throw new IOException("only " + peakOpen.get() + " of " + holdUntilOpen + " connections open at once");
                }
                try {
                    openChanged.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while holding the reply");
                }
            }
        }
    }

    private static long readHeader(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0 || line.length() >= HEADER_LIMIT) {
                throw new IOException("bad header: " + line);
            }
            line.append((char) c);
        }
        return Long.parseLong(line.toString());
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
