package io.gvproxy.core.forward;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class PortForwarderTest {
    private static final int GUEST_PORT = 8080;

    private VirtualNetwork network;
    private SimulatedGuest guest;
    private PortForwarder forwarder;
    private final ConcurrentLinkedQueue<Integer> sources = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void setUp() {
        network = new VirtualNetwork(NetworkConfig.defaults(), new Counters());
        guest = new SimulatedGuest(network, network.config().deviceIp());
        guest.listen(offer -> {
            if (offer.localPort() != GUEST_PORT) {
                offer.reject();
                return;
            }
            sources.add(offer.remoteAddress());
            offer.accept().ifPresent(s -> Thread.ofVirtual().start(() -> echo(s)));
        });
        forwarder = new PortForwarder(network, m -> { });
    }

    @AfterEach
    void tearDown() throws Exception {
        forwarder.close();
        guest.close();
        network.close();
    }

    /** Echoes until the client's FIN, then half-closes: the client sees its bytes back and then EOF. */
    private static void echo(TcpStream s) {
        byte[] buf = new byte[32 * 1024];
        try (s) {
            int n;
            while ((n = s.read(buf, 0, buf.length)) > 0) {
                s.write(buf, 0, n);
            }
            s.shutdownOutput();
        } catch (IOException e) {
            // the test's assertions tell
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String remote() {
        return Ipv4.toString(network.config().deviceIp()) + ":" + GUEST_PORT;
    }

    private static byte[] roundTrip(SocketChannel c, byte[] data) throws IOException {
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    c.write(b);
                }
                c.shutdownOutput();
            } catch (IOException e) {
                // read side fails too
            }
        });
        byte[] back = c.socket().getInputStream().readAllBytes();
        try {
            writer.join();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return back;
    }

    @Test
    void tcpForwardEchoesWithHalfCloseAndTheGuestSeesTheGateway() throws Exception {
        int port = freePort();
        forwarder.expose("tcp", "127.0.0.1:" + port, remote());
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            byte[] data = "hello through the forward".getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(data, roundTrip(c, data));
        }
        assertEquals(List.of(network.config().gatewayIp()), List.copyOf(sources));
    }

    @Test
    void manyConnectionsInParallel() throws Exception {
        int count = Integer.getInteger("forward.parallel", 100);
        int port = freePort();
        forwarder.expose("tcp", "127.0.0.1:" + port, remote());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] data = ("connection " + i).getBytes(StandardCharsets.US_ASCII);
                results.add(pool.submit(() -> {
                    try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                        return java.util.Arrays.equals(data, roundTrip(c, data));
                    }
                }));
            }
            for (int i = 0; i < count; i++) {
                assertTrue(results.get(i).get(), "connection " + i);
            }
        }
        assertEquals(count, sources.size());
    }

    @Test
    void bulkTransferKeepsEveryByte() throws Exception {
        long size = Long.getLong("forward.bulkBytes", 16L << 20);
        long seed = new Random().nextLong();
        int port = freePort();
        forwarder.expose("tcp", "127.0.0.1:" + port, remote());
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        try (Socket s = new Socket("127.0.0.1", port)) {
            Thread writer = Thread.ofVirtual().start(() -> {
                Random r = new Random(seed);
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = s.getOutputStream();
                    for (long left = size; left > 0; left -= chunk.length) {
                        r.nextBytes(chunk);
                        int n = (int) Math.min(chunk.length, left);
                        sent.update(chunk, 0, n);
                        out.write(chunk, 0, n);
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the digest comparison fails
                }
            });
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                received.update(buf, 0, n);
                total += n;
            }
            writer.join();
            assertEquals(size, total, "seed " + seed);
        }
        assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(received.digest()),
                "seed " + seed);
    }

    @Test
    void unixSocketToGuestTcp(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("fwd.sock");
        Files.writeString(socket, "an old file the expose replaces");
        forwarder.expose("unix", socket.toString(), "tcp://" + remote());
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            byte[] data = "over unix".getBytes(StandardCharsets.US_ASCII);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    c.write(ByteBuffer.wrap(data));
                    c.shutdownOutput();
                } catch (IOException e) {
                    // read fails too
                }
            });
            ByteBuffer back = ByteBuffer.allocate(100);
            while (c.read(back) > 0) {
                // until EOF
            }
            writer.join();
            assertArrayEquals(data, java.util.Arrays.copyOf(back.array(), back.position()));
        }
        forwarder.unexpose("unix", socket.toString());
        assertFalse(Files.exists(socket));
    }

    @Test
    void udpForwardGivesEachClientItsOwnFlow() throws Exception {
        int guestUdpPort = 5353;
        guest.udp.bind(guestUdpPort, (eth, ip, udp) -> {
            MemorySegment payload = udp.segment().asSlice(udp.payloadOffset(), udp.payloadLength());
            byte[] reply = ("echo:" + new String(payload.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
            return guest.udpSender.send(eth.source(), guest.ip, guestUdpPort, ip.sourceAddress(), udp.sourcePort(),
                    MemorySegment.ofArray(reply));
        });
        int port = freePort();
        forwarder.expose("udp", "127.0.0.1:" + port, Ipv4.toString(guest.ip) + ":" + guestUdpPort);
        for (String name : new String[]{"one", "two"}) {
            try (DatagramChannel c = DatagramChannel.open()) {
                c.connect(new InetSocketAddress("127.0.0.1", port));
                c.write(ByteBuffer.wrap(name.getBytes(StandardCharsets.US_ASCII)));
                c.socket().setSoTimeout(10_000);
                byte[] buf = new byte[100];
                java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
                c.socket().receive(p);
                assertEquals("echo:" + name, new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void registryMessagesAreUpstreams() throws Exception {
        int port = freePort();
        String local = "127.0.0.1:" + port;
        forwarder.expose("tcp", local, remote());
        ForwardException dup = assertThrows(ForwardException.class, () -> forwarder.expose("tcp", local, remote()));
        assertEquals("proxy already running for tcp on " + local, dup.getMessage());
        assertEquals("unknown protocol sctp",
                assertThrows(ForwardException.class, () -> forwarder.expose("sctp", ":1", remote())).getMessage());
        assertEquals("proxy not found",
                assertThrows(ForwardException.class, () -> forwarder.unexpose("udp", local)).getMessage());
        assertEquals("invalid remote addr",
                assertThrows(ForwardException.class, () -> forwarder.expose("udp", local, "1.2.3.4")).getMessage());
        assertEquals("strconv.ParseUint: parsing \"x\": invalid syntax",
                assertThrows(ForwardException.class, () -> forwarder.expose("udp", local, "1.2.3.4:x")).getMessage());
        assertEquals("strconv.ParseUint: parsing \"70000\": value out of range",
                assertThrows(ForwardException.class, () -> forwarder.expose("udp", local, "1.2.3.4:70000"))
                        .getMessage());
        assertEquals("remote protocol for unix forwarder is not implemented: http",
                assertThrows(ForwardException.class, () -> forwarder.expose("unix", "/nonexistent/x.sock",
                        "http://1.2.3.4:5")).getMessage());
        forwarder.expose("udp", local, remote());
        assertEquals(List.of(new PortForwarder.Forward(local, remote(), "tcp"),
                new PortForwarder.Forward(local, remote(), "udp")), forwarder.list());
        forwarder.unexpose("tcp", local);
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close());
        assertEquals(List.of(new PortForwarder.Forward(local, remote(), "udp")), forwarder.list());
    }

    @Test
    void aGuestThatNeverAnswersArpClosesTheHostConnection() throws Exception {
        int port = freePort();
        forwarder.expose("tcp", "127.0.0.1:" + port, "192.168.127.77:80");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void aRefusedGuestPortClosesTheHostConnection() throws Exception {
        int port = freePort();
        forwarder.expose("tcp", "127.0.0.1:" + port, Ipv4.toString(guest.ip) + ":9");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            assertEquals(-1, s.getInputStream().read());
        }
    }
}
