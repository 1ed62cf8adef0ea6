package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The host end of the connect+close test: a tiny HTTP/1.0 server that reads one request head (at most 4 KiB, 1 s),
 * answers a 2-byte body and closes. Connections are served one after another on the accept thread, since the client
 * makes them one after another.
 */
final class TinyHttpServer implements AutoCloseable {
    private static final byte[] RESPONSE = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int HEAD_LIMIT = 4096;

    private final ServerSocket server;

    TinyHttpServer(String bind) throws IOException {
        server = new ServerSocket(0, 128, InetAddress.getByName(bind));
        Thread.ofPlatform().daemon().name("http-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        byte[] buf = new byte[HEAD_LIMIT];
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(1000);
                s.setTcpNoDelay(true);
                if (readHead(s.getInputStream(), buf)) {
                    s.getOutputStream().write(RESPONSE);
                }
            } catch (IOException e) {
                // A stalled or reset client; the next one is served.
            }
        }
    }

    /** Reads until the blank line that ends the head; false if the head is too long or the client closed first. */
    private static boolean readHead(InputStream in, byte[] buf) throws IOException {
        int len = 0;
        while (len < buf.length) {
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                return false;
            }
            len += n;
            for (int i = Math.max(3, len - n); i < len; i++) {
                if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n') {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
