package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The guest end of the connect+close test, run with {@code ip netns exec}: one connection after another, each
 * connect, {@code GET / HTTP/1.0}, read to EOF, close, for SECONDS. A connect or read that waits more than 1 s is a
 * stall; any other failure (refused, reset, a reply without the body) is an error; both end that connection and the
 * loop goes on. Prints {@code start}, then {@code result ok=N stalls=S errors=E seconds=T p50us=X p99us=Y firsterror=...}.
 *
 * <p>Usage: {@code CrrClient HOST PORT SECONDS}.
 */
public final class CrrClient {
    private static final int TIMEOUT_MILLIS = 1000;
    private static final int MAX_SAMPLES = 2_000_000;
    private static final byte[] REQUEST = "GET / HTTP/1.0\r\nHost: harness\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private CrrClient() {
    }

    public static void main(String[] args) {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        long measureNanos = (long) (Double.parseDouble(args[2]) * 1e9);
        long[] samples = new long[MAX_SAMPLES];
        byte[] buf = new byte[4096];
        int ok = 0;
        int stalls = 0;
        int errors = 0;
        String firstError = "none";
        System.out.println("start");
        System.out.flush();
        long start = System.nanoTime();
        long end = start + measureNanos;
        long now = start;
        while (now < end && ok < MAX_SAMPLES) {
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(target, TIMEOUT_MILLIS);
                s.setSoTimeout(TIMEOUT_MILLIS);
                s.getOutputStream().write(REQUEST);
                if (!readsReply(s.getInputStream(), buf)) {
                    throw new IOException("reply without its body");
                }
                long after = System.nanoTime();
                samples[ok++] = after - now;
            } catch (SocketTimeoutException e) {
                stalls++;
            } catch (IOException e) {
                errors++;
                if (errors == 1) {
                    firstError = e.toString().replace(' ', '_');
                }
            }
            now = System.nanoTime();
        }
        double seconds = (now - start) / 1e9;
        Arrays.sort(samples, 0, ok);
        System.out.printf(Locale.ROOT, "result ok=%d stalls=%d errors=%d seconds=%.4f p50us=%.1f p99us=%.1f"
                + " firsterror=%s%n", ok, stalls, errors, seconds, RrClient.percentile(samples, ok, 0.50) / 1e3,
                RrClient.percentile(samples, ok, 0.99) / 1e3, firstError);
    }

    /** Reads to EOF; true when the reply ended with the 2-byte body "ok". */
    private static boolean readsReply(InputStream in, byte[] buf) throws IOException {
        int len = 0;
        int n;
        while ((n = in.read(buf, len, buf.length - len)) > 0) {
            len += n;
            if (len == buf.length) {
                return false;
            }
        }
        return len >= 2 && buf[len - 2] == 'o' && buf[len - 1] == 'k';
    }
}
