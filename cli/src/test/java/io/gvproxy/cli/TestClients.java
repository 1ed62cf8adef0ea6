package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Test helpers for talking to listeners with bounded waits. */
final class TestClients {
    private TestClients() {
    }

    static SocketChannel connect(Path unixSocket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(unixSocket));
        return ch;
    }

    static SocketChannel connect(SocketAddress address) throws IOException {
        return SocketChannel.open(address);
    }

    /** Sends text and expects the echoing handler to return it. */
    static void assertEcho(SocketChannel ch, String text) throws Exception {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        ch.write(ByteBuffer.wrap(sent));
        ByteBuffer got = ByteBuffer.allocate(sent.length);
        while (got.hasRemaining()) {
            if (readWithTimeout(ch, got) < 0) {
                throw new AssertionError("connection closed before the echo arrived");
            }
        }
        assertArrayEquals(sent, got.array());
    }

    /** Expects the server to close the connection (EOF or reset) within 10 s. */
    static void assertClosedByServer(SocketChannel ch) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16);
        int n;
        try {
            n = readWithTimeout(ch, b);
        } catch (IOException e) {
            return;
        }
        assertEquals(-1, n, "expected the server to close the connection");
    }

    private static int readWithTimeout(SocketChannel ch, ByteBuffer b) throws Exception {
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> f = ex.submit(() -> ch.read(b));
            try {
                return f.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                ch.close();
                throw new AssertionError("no data or EOF within 10 s");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw e;
            }
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
