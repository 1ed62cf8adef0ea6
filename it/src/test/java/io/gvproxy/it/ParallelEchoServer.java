package io.gvproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ParallelEchoServer PORT}: a kernel TCP echo server for a namespace guest (ForwardVolumeIT). Every accepted
 * connection is echoed until the client half-closes, then closed. Prints {@code LISTENING}, then, whenever they
 * change (polled every 100 ms), {@code open=N peak=N served=N failed=N}: peak is the most connections open at once,
 * which shows the guest really held them in parallel. Runs until killed.
 */
public final class ParallelEchoServer {
    private static final int BACKLOG = 4096;

    private ParallelEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(Integer.parseInt(args[0])), BACKLOG);
        Thread.ofPlatform().daemon().name("echo-accept").start(() -> {
            while (true) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    System.out.println("accept failed: " + e);
                    return;
                }
                peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        s.setSoTimeout(120_000);
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        in.transferTo(out);
                        s.shutdownOutput();
                        served.incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    } finally {
                        open.decrementAndGet();
                    }
                });
            }
        });
        System.out.println("LISTENING");
        System.out.flush();
        String last = "";
        while (true) {
            Thread.sleep(100);
            String now = "open=" + open + " peak=" + peak + " served=" + served + " failed=" + failed;
            if (!now.equals(last)) {
                System.out.println(now);
                System.out.flush();
                last = now;
            }
        }
    }
}
