package io.gvproxy.core.tcpip;

import io.gvproxy.core.dns.DnsConfig;
import io.gvproxy.core.dns.DnsServer;
import io.gvproxy.core.dns.DnsTcpService;
import io.gvproxy.core.dns.ZoneTable;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.wire.TcpOptions;
import io.gvproxy.core.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.gvproxy.core.tcpip.StackHarness.REMOTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DnsTcpService} on the gateway's TCP stack: guest connections to gateway:53 get DNS, others go on. */
class GatewayDnsOverTcpTest {
    private static final int GATEWAY = Ipv4.parse("192.168.127.1");
    private static final int HOST = Ipv4.parse("192.168.127.254");
    private static final int ISN = 0x2000_0000;
    private static final TcpOptions MSS = new TcpOptions().mss(1460);

    private static DnsTcpService service(StackHarness h, int maxSessions) {
        DnsServer server = new DnsServer(DnsConfig.of(List.of()), ZoneTable.defaults(GATEWAY, HOST), h.counters);
        DnsTcpService service = new DnsTcpService(server, GATEWAY, maxSessions, 10_000, h.counters);
        h.stack.setSynListener(service);
        return service;
    }

    /** A query for {@code name} A with a two-byte length prefix. */
    private static byte[] framedQuery(int id, String name) {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.writeBytes(new byte[] {(byte) (id >>> 8), (byte) id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            q.write(label.length());
            q.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.writeBytes(new byte[] {0, 0, 1, 0, 1});
        byte[] body = q.toByteArray();
        byte[] framed = new byte[body.length + 2];
        framed[0] = (byte) (body.length >>> 8);
        framed[1] = (byte) body.length;
        System.arraycopy(body, 0, framed, 2, body.length);
        return framed;
    }

    private static StackHarness.Out synAck(StackHarness h, int dst, int guestPort, int dstPort) {
        h.send(StackHarness.segment(dst, guestPort, dstPort, ISN, 0, TcpSegment.SYN, 65535, MSS, new byte[0]));
        List<byte[]> frames = h.drain();
        assertEquals(1, frames.size(), "one answer to the SYN");
        return StackHarness.Out.parse(frames.getFirst());
    }

    /** The stream's bytes from the stack, waiting up to 5 s for at least {@code want}. */
    private static byte[] receive(StackHarness h, int want) throws InterruptedException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got.size() < want && System.nanoTime() < deadline) {
            for (byte[] f : h.drain()) {
                got.writeBytes(StackHarness.Out.parse(f).payload());
            }
            Thread.sleep(10);
        }
        return got.toByteArray();
    }

    @Test
    void queryOverTcpToTheGatewayIsAnsweredFromTheLocalZone() throws Exception {
        try (StackHarness h = new StackHarness()) {
            service(h, 4);
            StackHarness.Out sa = synAck(h, GATEWAY, 40100, 53);
            assertEquals(TcpSegment.SYN | TcpSegment.ACK, sa.tcp().flags());
            int serverNext = sa.tcp().sequenceNumber() + 1;
            byte[] query = framedQuery(0x1234, "gateway.containers.internal");
            h.send(StackHarness.segment(GATEWAY, 40100, 53, ISN + 1, serverNext, TcpSegment.ACK | TcpSegment.PSH,
                    65535, null, query));
            byte[] answer = receive(h, 2 + 12);
            assertTrue(answer.length >= 2 + 12, "a framed answer, got " + answer.length + " bytes");
            int length = ((answer[0] & 0xFF) << 8) | (answer[1] & 0xFF);
            assertEquals(answer.length - 2, length, "the length prefix covers the message");
            assertEquals(0x12, answer[2] & 0xFF);
            assertEquals(0x34, answer[3] & 0xFF);
            assertEquals(1, ((answer[8] & 0xFF) << 8) | (answer[9] & 0xFF), "one answer record");
            byte[] a = java.util.Arrays.copyOfRange(answer, answer.length - 4, answer.length);
            assertEquals(GATEWAY, ((a[0] & 0xFF) << 24) | ((a[1] & 0xFF) << 16) | ((a[2] & 0xFF) << 8) | (a[3] & 0xFF));
            assertEquals(1, h.count("dns.tcp.accepted"));
        }
    }

    @Test
    void otherDestinationsGoToTheNextListenerOrAreReset() {
        try (StackHarness h = new StackHarness()) {
            DnsTcpService service = service(h, 4);
            StackHarness.Out refused = synAck(h, REMOTE, 40101, 53);
            assertEquals(TcpSegment.RST | TcpSegment.ACK, refused.tcp().flags(), "no next listener: reset");
            AtomicReference<SynOffer> passed = new AtomicReference<>();
            service.setNext(o -> {
                passed.set(o);
                o.reject();
            });
            synAck(h, GATEWAY, 40102, 80);
            assertNotNull(passed.get(), "gateway:80 is not DNS");
            assertEquals(80, passed.get().localPort());
            SynOffer first = passed.get();
            synAck(h, REMOTE, 40103, 53);
            assertTrue(passed.get() != first && passed.get().localAddress() == REMOTE, "DNS elsewhere goes on");
            assertEquals(0, h.count("dns.tcp.accepted"));
        }
    }

    @Test
    void sessionsBeyondTheLimitAreRefused() {
        try (StackHarness h = new StackHarness()) {
            DnsTcpService service = service(h, 1);
            assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck(h, GATEWAY, 40104, 53).tcp().flags());
            assertEquals(TcpSegment.RST | TcpSegment.ACK, synAck(h, GATEWAY, 40105, 53).tcp().flags());
            assertEquals(1, h.count("dns.tcp.refused"));
            assertEquals(1, service.activeSessions());
        }
    }
}
