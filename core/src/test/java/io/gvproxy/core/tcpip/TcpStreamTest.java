package io.gvproxy.core.tcpip;

import io.gvproxy.core.link.FaultInjectingLink;
import io.gvproxy.core.tcp.TcpConfig;
import io.gvproxy.core.tcp.TcpError;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blocking facade between two stacks on a clean in-memory link. */
class TcpStreamTest {
    private static final TcpStackConfig SMALL_BUFFERS = TcpStackConfig.forMtu(1500).withTcp(TcpConfig.builder()
            .mss(1460).sendBufferBytes(16 << 10).receiveBufferBytes(16 << 10).build());

    private record Pair(LinkedStacks net, TcpStream client, TcpStream server) implements AutoCloseable {
        static Pair open(TcpStackConfig config) throws Exception {
            LinkedStacks net = new LinkedStacks(config, FaultInjectingLink.Faults.NONE, 1, 1024);
            CompletableFuture<TcpStream> accepted = new CompletableFuture<>();
            net.b.setSynListener(o -> accepted.complete(o.accept().orElseThrow()));
            TcpStream client = net.a.connect(LinkedStacks.IP_A, 40000, LinkedStacks.IP_B, 80, LinkedStacks.MAC_B);
            client.awaitConnected(5, TimeUnit.SECONDS);
            return new Pair(net, client, accepted.get(5, TimeUnit.SECONDS));
        }

        @Override
        public void close() throws InterruptedException {
            net.close();
        }
    }

    private static byte[] readAll(TcpStream s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.inputStream().transferTo(out);
        return out.toByteArray();
    }

    @Test
    void halfCloseEndsOneDirectionOnly() throws Exception {
        try (Pair p = Pair.open(TcpStackConfig.forMtu(1500))) {
            p.client().outputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            p.client().shutdownOutput();
            assertEquals("request", new String(readAll(p.server()), StandardCharsets.US_ASCII));
            p.server().outputStream().write("response".getBytes(StandardCharsets.US_ASCII));
            p.server().close();
            assertEquals("response", new String(readAll(p.client()), StandardCharsets.US_ASCII));
            p.client().close();
            assertTrue(p.server().awaitClosed(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void writerWaitsWhileThePeerDoesNotReadThenFinishes() throws Exception {
        try (Pair p = Pair.open(SMALL_BUFFERS)) {
            byte[] data = new byte[1 << 20];
            new java.util.Random(3).nextBytes(data);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    p.client().outputStream().write(data);
                    p.client().shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            Thread.sleep(300);
            assertFalse(writer.isDone(), "1 MiB cannot fit in 16 KiB send and receive buffers");
            assertTrue(p.server().available() <= 16 << 10, "the receiver holds at most its buffer");
            assertArrayEquals(data, readAll(p.server()));
            writer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void abortResetsThePeersReader() throws Exception {
        try (Pair p = Pair.open(TcpStackConfig.forMtu(1500))) {
            CompletableFuture<Throwable> read = CompletableFuture.supplyAsync(() -> {
                try {
                    p.server().inputStream().read(new byte[10]);
                    return null;
                } catch (IOException e) {
                    return e;
                }
            }, r -> Thread.ofVirtual().start(r));
            Thread.sleep(50);
            p.client().abort();
            Throwable t = read.get(5, TimeUnit.SECONDS);
            assertTrue(t instanceof SocketException && t.getMessage().contains("reset"), String.valueOf(t));
            assertEquals(TcpError.CONNECTION_RESET, p.server().error());
            assertEquals(-1, p.client().read(new byte[1], 0, 1), "our own reads end after abort");
        }
    }

    @Test
    void closingWithUnreadBytesResetsThePeer() throws Exception {
        try (Pair p = Pair.open(TcpStackConfig.forMtu(1500))) {
            p.client().outputStream().write(new byte[100]);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (p.server().available() < 100 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            p.server().close();
            assertThrows(SocketException.class, () -> p.client().inputStream().read(new byte[1]));
            assertThrows(SocketException.class, () -> p.server().outputStream().write(1), "closed stream");
        }
    }

    @Test
    void readTimesOut() throws Exception {
        try (Pair p = Pair.open(TcpStackConfig.forMtu(1500))) {
            p.server().setReadTimeout(50, TimeUnit.MILLISECONDS);
            assertThrows(SocketTimeoutException.class, () -> p.server().inputStream().read(new byte[1]));
            p.client().outputStream().write(7);
            byte[] one = new byte[1];
            assertEquals(1, p.server().inputStream().read(one));
            assertEquals(7, one[0]);
        }
    }
}
