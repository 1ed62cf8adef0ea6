package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The host-socket adapters on 127.0.0.1, queried with hand-built JDK queries and, when installed, dig. */
class DnsSocketServerTest {
    final Counters counters = new Counters();
    FakeUpstream upstream;
    DnsServer server;
    DnsUdpServer udp;
    DnsTcpServer tcp;

    @BeforeEach
    void start() throws IOException {
        upstream = new FakeUpstream(FakeUpstream.Mode.ANSWER);
        server = new DnsServer(DnsConfig.of(List.of(upstream.udpAddress())).withTimeout(Duration.ofSeconds(2)),
                ZoneTable.defaults(ZoneTableTest.GW, ZoneTableTest.HOST), counters);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        udp = DnsUdpServer.bind(any, server, counters);
        tcp = DnsTcpServer.bind(any, server, counters);
    }

    @AfterEach
    void stop() throws IOException {
        udp.close();
        tcp.close();
        server.close();
        upstream.close();
    }

    byte[] udpExchange(byte[] q) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(udp.localAddress());
            ch.write(ByteBuffer.wrap(q));
            ch.socket().setSoTimeout(5_000);
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[65535], 65535);
            ch.socket().receive(p);
            return java.util.Arrays.copyOf(p.getData(), p.getLength());
        }
    }

    @Test
    void udpAnswersLocalAndForwardedQueries() throws Exception {
        byte[] local = udpExchange(DnsQueryBuilder.query("gateway.containers.internal.", DnsWire.TYPE_A).bytes());
        DnsMessage m = DnsMessage.parse(local);
        assertEquals(1, m.answers().size());
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_SRV).bytes();
        assertArrayEquals(DnsForwardingTest.expected(q), udpExchange(q));
        byte[] big = udpExchange(DnsQueryBuilder.query("big.example.", DnsWire.TYPE_TXT).bytes());
        assertTrue(big.length <= 512 && DnsMessage.parse(big).truncated());
    }

    @Test
    void tcpAnswersPipelinedQueriesWithLengthFraming() throws Exception {
        byte[] q1 = DnsQueryBuilder.query("big.example.", DnsWire.TYPE_TXT).id(1).bytes();
        byte[] q2 = DnsQueryBuilder.query("host.docker.internal.", DnsWire.TYPE_A).id(2).bytes();
        try (Socket s = new Socket()) {
            s.connect(tcp.localAddress(), 5_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            for (byte[] q : List.of(q1, q2)) {
                out.write(new byte[] {(byte) (q.length >>> 8), (byte) q.length});
                out.write(q);
            }
            s.shutdownOutput();
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<byte[]> answers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                answers.add(r);
            }
            answers.sort(java.util.Comparator.comparingInt(r -> DnsWire.u16(r, 0)));
            assertArrayEquals(DnsForwardingTest.expected(q1), answers.get(0));
            assertEquals(ZoneTableTest.HOST, java.nio.ByteBuffer.wrap(answers.get(1), answers.get(1).length - 4, 4)
                    .getInt());
            assertEquals(-1, in.read(), "closed after the client's half-close and the last answer");
        }
    }

    @Test
    void tcpConnectionsAreBoundedInNumberAndIdleTime() throws Exception {
        try (DnsTcpServer small = DnsTcpServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                server, 1, 300, counters); Socket first = new Socket(); Socket second = new Socket()) {
            first.connect(small.localAddress(), 5_000);
            first.setSoTimeout(5_000);
            Thread.sleep(50);
            second.connect(small.localAddress(), 5_000);
            second.setSoTimeout(5_000);
            assertEquals(-1, second.getInputStream().read(), "over the limit: closed");
            assertEquals(1, counters.get("dns.tcp.refused_too_many_connections"));
            long t0 = System.nanoTime();
            assertEquals(-1, first.getInputStream().read(), "idle: closed");
            assertTrue(System.nanoTime() - t0 < 4_000_000_000L);
        }
    }

    static boolean digInstalled() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, "dig").canExecute()) {
                return true;
            }
        }
        return false;
    }

    String dig(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "+time=3", "+tries=1", "+norecurse"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "dig did not finish");
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void digOverUdpAndTcp() throws Exception {
        assumeTrue(digInstalled(), "dig is not installed");
        String udpPort = "-p" + udp.localAddress().getPort();
        String tcpPort = "-p" + tcp.localAddress().getPort();
        String a = dig(udpPort, "gateway.containers.internal.", "A");
        assertTrue(a.contains("status: NOERROR") && a.matches("(?s).*gateway\\.containers\\.internal\\.\\s+60\\s+IN\\s+A\\s+192\\.168\\.127\\.1.*"), a);
        String nx = dig(udpPort, "missing.docker.internal.", "A");
        assertTrue(nx.contains("status: NXDOMAIN"), nx);
        String mx = dig(udpPort, "svc.example.", "MX");
        assertTrue(mx.matches("(?s).*svc\\.example\\.\\s+300\\s+IN\\s+MX\\s+10 mail\\.example\\..*"), mx);
        String soa = dig(tcpPort, "+tcp", "svc.example.", "SOA");
        assertTrue(soa.matches("(?s).*IN\\s+SOA\\s+ns1\\.example\\. hostmaster\\.example\\. 1 3600 1800 604800 300.*"),
                soa);
        String tcpLocal = dig(tcpPort, "+tcp", "HOST.containers.internal.", "A");
        assertTrue(tcpLocal.contains("192.168.127.254"), tcpLocal);
        // Without EDNS the big answer is cut at 512 bytes with TC; dig says so (and +ignore keeps it).
        String truncated = dig(udpPort, "+noedns", "+ignore", "big.example.", "TXT");
        assertTrue(truncated.contains(" tc"), truncated);
    }
}
