package io.gvproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The guest's end of {@link ReplyServer}, run inside a namespace with the test classpath. Modes (every one bounded
 * by SECONDS; it prints one {@code RESULT key=value ...} line, then up to 10 {@code ERROR} lines, and exits 0 only
 * without errors):
 * <ul>
 *   <li>{@code concurrent HOST PORT N SECONDS}: N connections opened at once; each sends a byte and waits until
 *       all N are connected, then half-closes and checks the reply. {@code ok}, {@code errors}, {@code connected},
 *       {@code seconds}.</li>
 *   <li>{@code short HOST PORT N SECONDS}: N connections one after the other (connect, a byte, half-close, reply,
 *       close). {@code ok}, {@code errors}, {@code seconds}, {@code per_second}.</li>
 *   <li>{@code halfclose HOST PORT SEND REPLY SECONDS}: sends SEND bytes of {@link SeededChunks} and half-closes,
 *       then checks that the server saw exactly them before its end of stream and that REPLY bytes still arrive.
 *       {@code ok}, {@code errors}, {@code sent}, {@code replied}.</li>
 * </ul>
 */
public final class ConnectionLoad {
    static final long SEND_SEED = 11;
    private static final int CONNECT_TIMEOUT_MS = 30_000;
    private static final String ONE_BYTE_SHA256 = HexFormat.of().formatHex(
            SeededChunks.sha256().digest(new byte[] {'x'}));

    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger errorCount = new AtomicInteger();

    private ConnectionLoad() {
    }

    public static void main(String[] args) throws Exception {
        ConnectionLoad load = new ConnectionLoad();
        InetSocketAddress to = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        long start = System.nanoTime();
        String result = switch (args[0]) {
            case "concurrent" -> load.concurrent(to, Integer.parseInt(args[3]), deadline(start, args[4]));
            case "short" -> load.sequential(to, Integer.parseInt(args[3]), deadline(start, args[4]));
            case "halfclose" -> load.halfClose(to, Long.parseLong(args[3]), Long.parseLong(args[4]),
                    deadline(start, args[5]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        };
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("RESULT %s errors=%d seconds=%.3f%n", result, load.errorCount.get(), seconds);
        load.errors.stream().limit(10).forEach(e -> System.out.println("ERROR " + e));
        System.out.flush();
        System.exit(load.errorCount.get() == 0 ? 0 : 1);
    }

    private static long deadline(long start, String seconds) {
        return start + TimeUnit.SECONDS.toNanos(Long.parseLong(seconds));
    }

    private String concurrent(InetSocketAddress to, int n, long deadline) throws InterruptedException {
        CountDownLatch connected = new CountDownLatch(n);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger connectedCount = new AtomicInteger();
        List<Thread> threads = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket()) {
                    try {
                        s.connect(to, CONNECT_TIMEOUT_MS);
                        s.getOutputStream().write("0\nx".getBytes(StandardCharsets.US_ASCII));
                        connectedCount.incrementAndGet();
                    } finally {
                        // A failed connection must not keep the others waiting for it.
                        connected.countDown();
                    }
                    if (!connected.await(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
                        throw new IOException("not all connections were open before the deadline");
                    }
                    if (exchange(s, 1, ONE_BYTE_SHA256, 0, deadline)) {
                        ok.incrementAndGet();
                    }
                } catch (IOException | InterruptedException e) {
                    error("concurrent: " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(Math.max(1, remainingMillis(deadline) + 5_000));
        }
        return "ok=" + ok.get() + " connected=" + connectedCount.get();
    }

    private String sequential(InetSocketAddress to, int n, long deadline) {
        int ok = 0;
        long start = System.nanoTime();
        for (int i = 0; i < n && System.nanoTime() < deadline; i++) {
            try (Socket s = new Socket()) {
                s.connect(to, CONNECT_TIMEOUT_MS);
                s.getOutputStream().write("0\nx".getBytes(StandardCharsets.US_ASCII));
                if (exchange(s, 1, ONE_BYTE_SHA256, 0, deadline)) {
                    ok++;
                }
            } catch (IOException e) {
                error("short #" + i + ": " + e);
            }
        }
        if (ok + errorCount.get() < n) {
            error("deadline reached after " + (ok + errorCount.get()) + " of " + n + " connections");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format("ok=%d per_second=%.0f", ok, ok / seconds);
    }

    private String halfClose(InetSocketAddress to, long send, long reply, long deadline) {
        SeededChunks.checkedLength(send);
        SeededChunks.checkedLength(reply);
        try (Socket s = new Socket()) {
            s.connect(to, CONNECT_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[SeededChunks.CHUNK];
            for (long i = 0; i < send / SeededChunks.CHUNK; i++) {
                SeededChunks.chunk(SEND_SEED, i, buf);
                out.write(buf);
            }
            boolean ok = exchange(s, send, SeededChunks.sha256(SEND_SEED, send), reply, deadline);
            return "ok=" + (ok ? 1 : 0) + " sent=" + send + " replied=" + (ok ? reply : 0);
        } catch (IOException e) {
            error("halfclose: " + e);
            return "ok=0 sent=" + send + " replied=0";
        }
    }

    /**
     * Half-closes {@code s}, then checks the server's line (it saw {@code sent} bytes with {@code sha256} before
     * our FIN) and that {@code reply} bytes of the reply stream follow before its end of stream.
     */
    private boolean exchange(Socket s, long sent, String sha256, long reply, long deadline) throws IOException {
        s.shutdownOutput();
        s.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remainingMillis(deadline))));
        InputStream in = s.getInputStream();
        String line = readLine(in);
        String want = "received=" + sent + " sha256=" + sha256;
        if (!line.equals(want)) {
            error("server saw '" + line + "', want '" + want + "'");
            return false;
        }
        MessageDigest md = SeededChunks.sha256();
        byte[] buf = new byte[SeededChunks.CHUNK];
        long got = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
            got += n;
        }
        if (got != reply || (reply > 0 && !HexFormat.of().formatHex(md.digest())
                .equals(SeededChunks.sha256(ReplyServer.SEED, reply)))) {
            error("reply after half-close: " + got + " bytes, want " + reply + " of the seeded stream");
            return false;
        }
        return true;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0 || line.length() > 200) {
                throw new IOException("reply line ended early: '" + line + "'");
            }
            line.append((char) c);
        }
        return line.toString();
    }

    private static long remainingMillis(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private void error(String e) {
        errorCount.incrementAndGet();
        if (errors.size() < 10) {
            errors.add(e);
        }
    }
}
