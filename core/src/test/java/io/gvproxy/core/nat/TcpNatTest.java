package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.tcpip.TcpStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guest TCP through the NAT to real host sockets on 127.0.0.1. */
class TcpNatTest {
    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** Accepts connections and echoes each until its EOF, then closes it. */
    private static Thread echoServer(ServerSocket server) {
        return Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                        // the test sees it through its own assertions
                    }
                });
            }
        });
    }

    @Test
    void echoThroughHostIpReachesLoopbackWithAllBytesIntact() throws Exception {
        try (ServerSocket server = listen(); NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            echoServer(server);
            byte[] data = new byte[3 << 20];
            new Random(11).nextBytes(data);
            TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
            s.awaitConnected(5, TimeUnit.SECONDS);
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                try {
                    return readAll(s.inputStream());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            s.outputStream().write(data);
            s.shutdownOutput();
            byte[] got = back.get(30, TimeUnit.SECONDS);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data),
                    MessageDigest.getInstance("SHA-256").digest(got));
            s.close();
            assertEquals(1, g.count("nat.tcp.connected"));
            waitFor(() -> g.count("nat.tcp.active") == 0, "flow ends after both FINs");
        }
    }

    @Test
    void closedPortIsRefusedFast() throws Exception {
        int port;
        try (ServerSocket s = listen()) {
            port = s.getLocalPort();
        }
        try (NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            long start = System.nanoTime();
            TcpStream s = g.connect(NatGuest.HOST, port);
            assertThrows(ConnectException.class, () -> s.awaitConnected(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "refused within 1 s");
            assertEquals(1, g.count("nat.tcp.refused"));
        }
    }

    @Test
    void deniedDestinationIsResetWithoutDialling() throws Exception {
        try (NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            TcpStream s = g.connect(Ipv4.parse("10.200.0.1"), 80);
            assertThrows(ConnectException.class, () -> s.awaitConnected(5, TimeUnit.SECONDS));
            assertEquals(1, g.count("nat.tcp.denied"));
            assertEquals(0, g.count("nat.tcp.dialed"));
        }
    }

    @Test
    void linkLocalIsResetUnlessMetadataAccessIsOn() throws Exception {
        try (NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            TcpStream s = g.connect(Ipv4.parse("169.254.169.254"), 80);
            assertThrows(ConnectException.class, () -> s.awaitConnected(5, TimeUnit.SECONDS));
            assertEquals(1, g.count("nat.tcp.link_local"));
        }
        // with access on, the policy still applies: link-local is outside 127.0.0.0/8, so it is denied, not dialled
        try (NatGuest g = new NatGuest(NatGuest.loopbackOnly().withEc2MetadataAccess(true))) {
            TcpStream s = g.connect(Ipv4.parse("169.254.169.254"), 80);
            assertThrows(ConnectException.class, () -> s.awaitConnected(5, TimeUnit.SECONDS));
            assertEquals(0, g.count("nat.tcp.link_local"));
            assertEquals(1, g.count("nat.tcp.denied"));
        }
    }

    @Test
    void metadataAccessReallyDialsLinkLocalDestinations() throws Exception {
        int metadata = Ipv4.parse("169.254.169.254");
        try (ServerSocket server = listen()) {
            echoServer(server);
            // the table sends the metadata address to loopback, so the dial stays on this machine
            NatConfig c = new NatConfig(new NatTable(java.util.Map.of(metadata, Ipv4.parse("127.0.0.1"))),
                    NatGuest.LOOPBACK_ONLY, true, NatConfig.DEFAULT_CONNECT_TIMEOUT, NatConfig.DEFAULT_UDP_IDLE_TIMEOUT,
                    NatConfig.DEFAULT_MAX_UDP_FLOWS);
            try (NatGuest g = new NatGuest(c)) {
                TcpStream s = g.connect(metadata, server.getLocalPort());
                s.awaitConnected(5, TimeUnit.SECONDS);
                s.outputStream().write("meta".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertEquals("meta", new String(readAll(s.inputStream()), StandardCharsets.US_ASCII));
                s.close();
            }
            try (NatGuest g = new NatGuest(c.withEc2MetadataAccess(false))) {
                TcpStream s = g.connect(metadata, server.getLocalPort());
                assertThrows(ConnectException.class, () -> s.awaitConnected(5, TimeUnit.SECONDS));
                assertEquals(1, g.count("nat.tcp.link_local"));
                assertEquals(0, g.count("nat.tcp.dialed"));
            }
        }
    }

    @Test
    void guestHalfCloseReachesTheHostWhichStillAnswers() throws Exception {
        try (ServerSocket server = listen(); NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            CompletableFuture<String> seen = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    String request = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
                    seen.complete(request);
                    s.getOutputStream().write(("got " + request).getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    seen.completeExceptionally(e);
                }
            });
            TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
            s.awaitConnected(5, TimeUnit.SECONDS);
            s.outputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertEquals("ping", seen.get(5, TimeUnit.SECONDS), "the host read EOF after the guest's FIN");
            assertEquals("got ping", new String(readAll(s.inputStream()), StandardCharsets.US_ASCII));
            s.close();
        }
    }

    @Test
    void hostHalfCloseReachesTheGuestWhichStillSends() throws Exception {
        try (ServerSocket server = listen(); NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            CompletableFuture<String> seen = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write("hello".getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    seen.complete(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    seen.completeExceptionally(e);
                }
            });
            TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
            s.awaitConnected(5, TimeUnit.SECONDS);
            assertEquals("hello", new String(readAll(s.inputStream()), StandardCharsets.US_ASCII));
            s.outputStream().write("after".getBytes(StandardCharsets.US_ASCII));
            s.close();
            assertEquals("after", seen.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void manyConcurrentConnectionsAllEcho() throws Exception {
        int n = Integer.getInteger("nat.test.concurrent", 200);
        try (ServerSocket server = listen(); NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            echoServer(server);
            List<CompletableFuture<Boolean>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] msg = ("message " + i).getBytes(StandardCharsets.US_ASCII);
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
                        s.awaitConnected(10, TimeUnit.SECONDS);
                        s.outputStream().write(msg);
                        s.shutdownOutput();
                        boolean ok = java.util.Arrays.equals(msg, readAll(s.inputStream()));
                        s.close();
                        return ok;
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            for (CompletableFuture<Boolean> f : all) {
                assertTrue(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(n, g.count("nat.tcp.connected"));
        }
    }

    @Test
    void shutdownResetsOpenFlows() throws Exception {
        try (ServerSocket server = listen()) {
            echoServer(server);
            NatGuest g = new NatGuest(NatGuest.loopbackOnly());
            TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
            s.awaitConnected(5, TimeUnit.SECONDS);
            waitFor(() -> g.count("nat.tcp.active") == 1, "flow open");
            g.network.close();
            waitFor(() -> g.count("nat.tcp.active") == 0, "flows closed on shutdown");
            g.close();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(10);
        }
    }
}
