package io.gvproxy.cli.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Test client speaking HTTP by hand, with every read bounded in time. */
public final class RawHttp {
    /** A response: status line, header lines, body. */
    public record Response(String statusLine, List<String> headers, String body) {
        public String header(String name) {
            for (String h : headers) {
                int c = h.indexOf(':');
                if (h.substring(0, c).equalsIgnoreCase(name)) {
                    return h.substring(c + 1).strip();
                }
            }
            return null;
        }
    }

    private final SocketChannel ch;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public RawHttp(SocketChannel ch) {
        this.ch = ch;
    }

    public void send(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    public void send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads one response whose body is delimited by Content-Length, or by EOF without one. */
    public Response read() throws Exception {
        int headEnd;
        while ((headEnd = indexOf(pending.toByteArray(), "\r\n\r\n")) < 0) {
            if (readMore() < 0) {
                throw new AssertionError("EOF before a response head; got: " + pending);
            }
        }
        byte[] all = pending.toByteArray();
        String head = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1);
        List<String> lines = List.of(head.split("\r\n"));
        Response partial = new Response(lines.getFirst(), lines.subList(1, lines.size()), "");
        String cl = partial.header("Content-Length");
        int bodyStart = headEnd + 4;
        if (cl == null) {
            while (readMore() >= 0) {
                continue;
            }
            all = pending.toByteArray();
            pending.reset();
            return new Response(partial.statusLine, partial.headers,
                    new String(all, bodyStart, all.length - bodyStart, StandardCharsets.UTF_8));
        }
        int length = Integer.parseInt(cl);
        while (pending.size() < bodyStart + length) {
            if (readMore() < 0) {
                throw new AssertionError("EOF inside a body");
            }
        }
        all = pending.toByteArray();
        pending.reset();
        pending.write(all, bodyStart + length, all.length - bodyStart - length);
        return new Response(partial.statusLine, partial.headers,
                new String(all, bodyStart, length, StandardCharsets.UTF_8));
    }

    /** Reads exactly n raw bytes (after a hijack). */
    public byte[] readBytes(int n) throws Exception {
        while (pending.size() < n) {
            if (readMore() < 0) {
                throw new AssertionError("EOF after " + pending.size() + " of " + n + " bytes");
            }
        }
        byte[] all = pending.toByteArray();
        pending.reset();
        pending.write(all, n, all.length - n);
        return java.util.Arrays.copyOf(all, n);
    }

    /** Everything until the server closes. */
    public String readToEof() throws Exception {
        while (readMore() >= 0) {
            continue;
        }
        String s = pending.toString(StandardCharsets.ISO_8859_1);
        pending.reset();
        return s;
    }

    /** Whether the server closed the connection within the bound (EOF or reset). */
    public boolean closedByServer() throws Exception {
        try {
            return readMore() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private int readMore() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8192);
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> f = ex.submit(() -> ch.read(b));
            int n;
            try {
                n = f.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                ch.close();
                throw new AssertionError("no data or EOF within 10 s; got so far: " + pending);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw e;
            }
            if (n > 0) {
                pending.write(b.array(), 0, n);
            }
            return n;
        }
    }

    private static int indexOf(byte[] a, String s) {
        byte[] p = s.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = 0; i + p.length <= a.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (a[i + j] != p[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
