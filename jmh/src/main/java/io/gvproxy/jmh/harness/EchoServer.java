package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The host end of the request/response test: echoes every byte back on each accepted connection, with TCP_NODELAY,
 * one platform thread per connection. Binds the path's host address only (127.0.0.1 or the veth end).
 */
final class EchoServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> open = new ArrayList<>();

    EchoServer(String bind) throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getByName(bind));
        Thread.ofPlatform().daemon().name("echo-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                synchronized (open) {
                    open.add(s);
                }
                Thread.ofPlatform().daemon().name("echo").start(() -> echo(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void echo(Socket s) {
        byte[] buf = new byte[256];
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // The client went away.
        } finally {
            synchronized (open) {
                open.remove(s);
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
