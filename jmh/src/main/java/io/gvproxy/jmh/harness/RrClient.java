package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The guest end of the request/response test, run with {@code ip netns exec}: over one TCP_NODELAY connection,
 * send 1 byte and wait for its echo, for SECONDS after a 0.3 s warm-up. Prints {@code start} when the measured part
 * begins, then {@code result rtt=N seconds=S p50us=X p99us=Y stalls=K}. A round trip that waits more than 1 s for
 * its echo is a stall (counted, and the wait goes on); one that waits {@value #GIVE_UP_SECONDS} s ends the test with
 * exit code 1.
 *
 * <p>Usage: {@code RrClient HOST PORT SECONDS}.
 */
public final class RrClient {
    private static final long WARMUP_NANOS = 300_000_000L;
    private static final int MAX_SAMPLES = 4_000_000;
    private static final int GIVE_UP_SECONDS = 10;
    private static int stalls;

    private RrClient() {
    }

    public static void main(String[] args) throws IOException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        long measureNanos = (long) (Double.parseDouble(args[2]) * 1e9);
        long[] samples = new long[MAX_SAMPLES];
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(1000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            long warmEnd = System.nanoTime() + WARMUP_NANOS;
            while (System.nanoTime() < warmEnd) {
                roundTrip(in, out);
            }
            System.out.println("start");
            System.out.flush();
            long start = System.nanoTime();
            long end = start + measureNanos;
            int n = 0;
            long now = start;
            while (now < end && n < MAX_SAMPLES) {
                roundTrip(in, out);
                long after = System.nanoTime();
                samples[n++] = after - now;
                now = after;
            }
            double seconds = (now - start) / 1e9;
            Arrays.sort(samples, 0, n);
            System.out.printf(Locale.ROOT, "result rtt=%d seconds=%.4f p50us=%.1f p99us=%.1f stalls=%d%n", n,
                    seconds, percentile(samples, n, 0.50) / 1e3, percentile(samples, n, 0.99) / 1e3, stalls);
        }
    }

    private static void roundTrip(InputStream in, OutputStream out) throws IOException {
        out.write(1);
        for (int waited = 0; ; waited++) {
            try {
                if (in.read() < 0) {
                    throw new IOException("the echo server closed the connection");
                }
                return;
            } catch (SocketTimeoutException e) {
                if (waited == 0) {
                    stalls++;
                }
                if (waited + 1 >= GIVE_UP_SECONDS) {
                    throw new IOException("no echo within " + GIVE_UP_SECONDS + " s", e);
                }
            }
        }
    }

    static double percentile(long[] sorted, int n, double q) {
        if (n == 0) {
            return 0;
        }
        return sorted[Math.min(n - 1, (int) Math.ceil(q * n) - 1)];
    }
}
