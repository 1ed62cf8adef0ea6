package io.gvproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The kernel's end of {@link TcpKernelInteropIT}, run inside the namespace: over one TCP connection it sends
 * {@code BYTES} of {@link SeededChunks} for {@code SEED} (then half-closes) while reading to end of stream, and
 * prints {@code RESULT received=N sha256=HEX}.
 *
 * <p>{@code connect HOST PORT BYTES SEED} dials; {@code listen PORT BYTES SEED} accepts one connection (after
 * printing {@code LISTENING}). Exits 0 on success, 1 on any error.
 */
public final class TcpBlaster {
    private TcpBlaster() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Socket socket;
            long bytes;
            long seed;
            if (args[0].equals("connect")) {
                bytes = SeededChunks.checkedLength(Long.parseLong(args[3]));
                seed = Long.parseLong(args[4]);
                socket = new Socket();
                socket.connect(new InetSocketAddress(args[1], Integer.parseInt(args[2])), 10_000);
            } else {
                bytes = SeededChunks.checkedLength(Long.parseLong(args[2]));
                seed = Long.parseLong(args[3]);
                try (ServerSocket server = new ServerSocket()) {
                    server.bind(new InetSocketAddress(Integer.parseInt(args[1])));
                    System.out.println("LISTENING");
                    System.out.flush();
                    server.setSoTimeout(60_000);
                    socket = server.accept();
                }
            }
            socket.setSoTimeout(120_000);
            try (socket) {
                Thread sender = Thread.ofPlatform().start(() -> send(socket, bytes, seed));
                MessageDigest md = SeededChunks.sha256();
                long received = 0;
                byte[] buf = new byte[SeededChunks.CHUNK];
                InputStream in = socket.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    md.update(buf, 0, n);
                    received += n;
                }
                sender.join();
                System.out.println("RESULT received=" + received + " sha256=" + HexFormat.of().formatHex(md.digest()));
            }
        } catch (Exception e) {
            System.out.println("FAILED " + e);
            System.exit(1);
        }
    }

    private static void send(Socket socket, long bytes, long seed) {
        try {
            SeededChunks.write(socket.getOutputStream(), seed, bytes);
            socket.shutdownOutput();
        } catch (IOException e) {
            System.out.println("SEND FAILED " + e);
            System.exit(1);
        }
    }
}
