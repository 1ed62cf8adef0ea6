package io.gvproxy.core.nat;

import io.gvproxy.core.tcpip.TcpStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.gvproxy.core.nat.TcpNatTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay without a thread per flow: a side that cannot take more (a host socket with a full buffer, a guest
 * that does not read) makes it hold the rest and resume later, with no byte lost or reordered; ends and resets
 * still cross; idle flows hold no relay buffer.
 */
class TcpFlowRelayTest {
    private static final int BYTES = 3 << 20;

    private static ServerSocket smallBufferServer() throws IOException {
        ServerSocket s = new ServerSocket();
        // small, so that the host side fills long before the guest has sent everything
        s.setReceiveBufferSize(4096);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        return s;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static byte[] sha(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @RepeatedTest(3)
    void aHostThatStopsReadingMakesTheRelayWaitAndLoseNothing(RepetitionInfo rep) throws Exception {
        long seed = 0x5EED0000L + rep.getCurrentRepetition();
        Random random = new Random(seed);
        byte[] data = new byte[BYTES];
        random.nextBytes(data);
        try (ServerSocket server = smallBufferServer(); NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            CompletableFuture<byte[]> atHost = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    // not reading at first: the host socket's buffers fill and the relay must hold the rest
                    Thread.sleep(300);
                    return readAll(s.getInputStream());
                } catch (IOException | InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
            s.awaitConnected(5, TimeUnit.SECONDS);
            int off = 0;
            while (off < data.length) {
                int n = Math.min(data.length - off, 1 + random.nextInt(70_000));
                s.outputStream().write(data, off, n);
                off += n;
            }
            s.shutdownOutput();
            byte[] got = atHost.get(30, TimeUnit.SECONDS);
            assertEquals(data.length, got.length, "seed " + seed);
            assertArrayEquals(sha(data), sha(got), "seed " + seed);
            assertEquals(-1, s.inputStream().read(), "the host's close reached the guest");
            s.close();
            waitFor(() -> g.count("nat.tcp.active") == 0, "flow ends");
            assertEquals(0, g.count("nat.tcp.relay_buffers_lent"), "seed " + seed);
        }
    }

    @RepeatedTest(3)
    void aGuestThatStopsReadingMakesTheRelayWaitAndLoseNothing(RepetitionInfo rep) throws Exception {
        long seed = 0xFEED0000L + rep.getCurrentRepetition();
        Random random = new Random(seed);
        byte[] data = new byte[BYTES];
        random.nextBytes(data);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    int off = 0;
                    while (off < data.length) {
                        int n = Math.min(data.length - off, 1 + random.nextInt(70_000));
                        s.getOutputStream().write(data, off, n);
                        off += n;
                    }
                } catch (IOException e) {
                    // the guest's assertions report it
                }
            });
            TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
            s.awaitConnected(5, TimeUnit.SECONDS);
            // the guest's receive window and our send buffer fill: the relay holds what the guest cannot take
            Thread.sleep(300);
            byte[] got = readAll(s.inputStream());
            assertEquals(data.length, got.length, "seed " + seed);
            assertArrayEquals(sha(data), sha(got), "seed " + seed);
            s.close();
            waitFor(() -> g.count("nat.tcp.active") == 0, "flow ends");
        }
    }

    @Test
    void aHostResetReachesTheGuestAsAReset() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read();
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    // the guest's assertions report it
                }
            });
            TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
            s.awaitConnected(5, TimeUnit.SECONDS);
            s.outputStream().write(1);
            assertThrows(SocketException.class, () -> readAll(s.inputStream()));
            waitFor(() -> g.count("nat.tcp.active") == 0, "flow ends");
        }
    }

    @Test
    void aGuestResetReachesTheHostAsAReset() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            CompletableFuture<Socket> accepted = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    accepted.complete(server.accept());
                } catch (IOException e) {
                    accepted.completeExceptionally(e);
                }
            });
            TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
            s.awaitConnected(5, TimeUnit.SECONDS);
            try (Socket host = accepted.get(5, TimeUnit.SECONDS)) {
                host.setSoTimeout(5000);
                s.abort();
                assertThrows(SocketException.class, () -> readAll(host.getInputStream()));
            }
            waitFor(() -> g.count("nat.tcp.active") == 0, "flow ends");
        }
    }

    @Test
    void idleFlowsHoldNoRelayBuffer() throws Exception {
        int n = 50;
        try (ServerSocket server = new ServerSocket(0, n, InetAddress.getLoopbackAddress());
             NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            List<Socket> hosts = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        Socket h = server.accept();
                        synchronized (hosts) {
                            hosts.add(h);
                        }
                        h.getOutputStream().write(h.getInputStream().read());
                    }
                } catch (IOException e) {
                    // the guest's assertions report it
                }
            });
            List<TcpStream> guests = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TcpStream s = g.connect(NatGuest.HOST, server.getLocalPort());
                s.awaitConnected(5, TimeUnit.SECONDS);
                s.outputStream().write(i);
                assertEquals(i, s.inputStream().read(), "one byte each way");
                guests.add(s);
            }
            assertTrue(acceptor.join(java.time.Duration.ofSeconds(5)), "every host end accepted");
            assertEquals(n, g.count("nat.tcp.active"));
            waitFor(() -> g.count("nat.tcp.relay_buffers_lent") == 0, "no buffer held by an idle flow");
            for (TcpStream s : guests) {
                s.close();
            }
            synchronized (hosts) {
                for (Socket h : hosts) {
                    h.close();
                }
            }
            waitFor(() -> g.count("nat.tcp.active") == 0, "flows end");
            assertEquals(0, g.count("nat.tcp.relay_buffers_lent"));
        }
    }
}
