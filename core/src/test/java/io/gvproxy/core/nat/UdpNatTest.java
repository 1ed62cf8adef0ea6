package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.gvproxy.core.nat.TcpNatTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guest UDP through the NAT to real host sockets on 127.0.0.1. */
class UdpNatTest {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    /** Echoes each datagram back to its sender, until closed. */
    private static DatagramSocket echoServer() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (!s.isClosed()) {
                try {
                    p.setLength(buf.length);
                    s.receive(p);
                    s.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                } catch (Exception e) {
                    return;
                }
            }
        });
        return s;
    }

    private record Reply(int src, int srcPort, int dst, int dstPort, String payload) {
        static Reply parse(byte[] bytes) {
            MemorySegment seg = MemorySegment.ofArray(bytes);
            Ipv4Packet ip = new Ipv4Packet();
            assertNull(ip.wrap(seg));
            UdpDatagram udp = new UdpDatagram();
            assertNull(udp.wrap(seg, ip.payloadOffset(), ip.payloadLength()));
            assertTrue(udp.checksumValid(ip.sourceAddress(), ip.destinationAddress()), "UDP checksum");
            byte[] p = seg.asSlice(udp.payloadOffset(), udp.payloadLength()).toArray(ValueLayout.JAVA_BYTE);
            return new Reply(ip.sourceAddress(), udp.sourcePort(), ip.destinationAddress(), udp.destinationPort(),
                    new String(p, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void echoComesBackFromTheAddressTheGuestWroteTo() throws Exception {
        try (DatagramSocket server = echoServer(); NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            int port = server.getLocalPort();
            g.sendUdp(5000, NatGuest.HOST, port, PING);
            byte[] got = g.udp.poll(5, TimeUnit.SECONDS);
            assertNotNull(got, "a reply");
            assertEquals(new Reply(NatGuest.HOST, port, NatGuest.GUEST, 5000, "ping"), Reply.parse(got));
            g.sendUdp(5000, NatGuest.HOST, port, PING);
            assertNotNull(g.udp.poll(5, TimeUnit.SECONDS));
            assertEquals(1, g.count("nat.udp.flows_opened"), "one socket per 4-tuple");
            g.sendUdp(5001, NatGuest.HOST, port, PING);
            assertNotNull(g.udp.poll(5, TimeUnit.SECONDS));
            assertEquals(2, g.count("nat.udp.flows_opened"));
        }
    }

    @Test
    void oneReaderThreadServesEveryFlowAndABurstLargerThanItsShareArrivesWhole() throws Exception {
        int flows = 200;
        try (DatagramSocket server = echoServer(); NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            int port = server.getLocalPort();
            for (int i = 0; i < flows; i++) {
                g.sendUdp(10_000 + i, NatGuest.HOST, port, PING);
                assertNotNull(g.udp.poll(5, TimeUnit.SECONDS), "reply to flow " + i);
            }
            // other tests' readers may still be ending: wait for exactly one
            waitFor(() -> Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("nat-udp")).count() == 1, "one reader for " + flows + " flows");
            // more datagrams than one wake-up reads from a flow, sent at once by the host
            try (DatagramSocket host = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                g.sendUdp(9000, NatGuest.HOST, host.getLocalPort(), PING);
                DatagramPacket first = new DatagramPacket(new byte[64], 64);
                host.setSoTimeout(5000);
                host.receive(first);
                int burst = 150;
                for (int i = 0; i < burst; i++) {
                    byte[] b = ("r" + i).getBytes(StandardCharsets.US_ASCII);
                    host.send(new DatagramPacket(b, b.length, first.getSocketAddress()));
                }
                for (int i = 0; i < burst; i++) {
                    byte[] got = g.udp.poll(5, TimeUnit.SECONDS);
                    assertNotNull(got, "burst datagram " + i);
                    assertEquals("r" + i, Reply.parse(got).payload());
                }
            }
        }
    }

    @Test
    void idleFlowsCloseAndTheNextDatagramOpensAFreshOne() throws Exception {
        NatConfig c = NatGuest.loopbackOnly().withUdpIdleTimeout(Duration.ofMillis(300));
        try (DatagramSocket server = echoServer(); NatGuest g = new NatGuest(c)) {
            g.sendUdp(5000, NatGuest.HOST, server.getLocalPort(), PING);
            assertNotNull(g.udp.poll(5, TimeUnit.SECONDS));
            waitFor(() -> g.count("nat.udp.idle_closed") == 1 && g.count("nat.udp.active") == 0, "idle close");
            g.sendUdp(5000, NatGuest.HOST, server.getLocalPort(), PING);
            assertNotNull(g.udp.poll(5, TimeUnit.SECONDS));
            assertEquals(2, g.count("nat.udp.flows_opened"));
        }
    }

    @Test
    void fullTableEvictsTheLongestIdleFlow() throws Exception {
        try (DatagramSocket server = echoServer(); NatGuest g = new NatGuest(NatGuest.loopbackOnly().withMaxUdpFlows(3))) {
            for (int i = 0; i < 5; i++) {
                g.sendUdp(6000 + i, NatGuest.HOST, server.getLocalPort(), PING);
                assertNotNull(g.udp.poll(5, TimeUnit.SECONDS));
            }
            assertEquals(5, g.count("nat.udp.flows_opened"));
            assertEquals(2, g.count("nat.udp.evicted"));
            waitFor(() -> g.count("nat.udp.active") == 3, "three flows left");
            assertEquals(3, g.network.counters().get("nat.udp.active"));
        }
    }

    @Test
    void refusedPortAnswersIcmpPortUnreachable() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        try (NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            byte[] got = null;
            // the host learns of the refusal from the first datagram; the error shows on the read or next write
            for (int i = 0; i < 5 && got == null; i++) {
                g.sendUdp(5000, NatGuest.HOST, port, PING);
                got = g.icmp.poll(1, TimeUnit.SECONDS);
            }
            assertNotNull(got, "an ICMP error");
            MemorySegment seg = MemorySegment.ofArray(got);
            Ipv4Packet ip = new Ipv4Packet();
            assertNull(ip.wrap(seg));
            assertTrue(ip.headerChecksumValid());
            assertEquals(NatGuest.HOST, ip.sourceAddress());
            assertEquals(NatGuest.GUEST, ip.destinationAddress());
            Icmpv4Packet icmp = new Icmpv4Packet();
            assertNull(icmp.wrap(seg, ip.payloadOffset(), ip.payloadLength()));
            assertTrue(icmp.checksumValid());
            assertEquals(IcmpType.DEST_UNREACHABLE, icmp.type());
            assertEquals(IcmpType.CODE_PORT_UNREACHABLE, icmp.code());
            Ipv4Packet quoted = new Ipv4Packet();
            assertNull(quoted.wrap(seg, icmp.payloadOffset(), icmp.payloadLength()));
            assertEquals(NatGuest.GUEST, quoted.sourceAddress());
            assertEquals(NatGuest.HOST, quoted.destinationAddress());
            assertTrue(g.count("nat.udp.port_unreachable") >= 1);
        }
    }

    @Test
    void deniedLinkLocalAndBroadcastAreDroppedAndCounted() throws Exception {
        try (NatGuest g = new NatGuest(NatGuest.loopbackOnly())) {
            g.sendUdp(5000, Ipv4.parse("10.200.0.1"), 53, PING);
            g.sendUdp(5000, Ipv4.parse("169.254.169.123"), 123, PING);
            g.sendUdp(5000, Ipv4.parse("192.168.127.255"), 9, PING);
            waitFor(() -> g.count("nat.udp.denied") == 1 && g.count("nat.udp.link_local") == 1
                    && g.count("udp.datagrams") == 3, "all three counted");
            assertEquals(0, g.count("nat.udp.flows_opened"));
            assertNull(g.udp.poll(100, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void shutdownClosesEveryFlow() throws Exception {
        try (DatagramSocket server = echoServer()) {
            NatGuest g = new NatGuest(NatGuest.loopbackOnly());
            g.sendUdp(5000, NatGuest.HOST, server.getLocalPort(), PING);
            assertNotNull(g.udp.poll(5, TimeUnit.SECONDS));
            g.network.close();
            waitFor(() -> g.count("nat.udp.active") == 0, "flows closed");
            g.close();
        }
    }
}
