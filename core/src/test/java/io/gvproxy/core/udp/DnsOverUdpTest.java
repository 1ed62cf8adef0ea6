package io.gvproxy.core.udp;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.dns.Zone;
import io.gvproxy.core.dns.ZoneRecord;
import io.gvproxy.core.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static io.gvproxy.core.udp.UdpFrames.GATEWAY;
import static io.gvproxy.core.udp.UdpFrames.GATEWAY_MAC;
import static io.gvproxy.core.udp.UdpFrames.GUEST;
import static io.gvproxy.core.udp.UdpFrames.GUEST_MAC;
import static io.gvproxy.core.udp.UdpFrames.HOST;
import static io.gvproxy.core.udp.UdpFrames.dnsQuery;
import static io.gvproxy.core.udp.UdpFrames.parse;
import static io.gvproxy.core.udp.UdpFrames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** DNS through the whole network: queries to gateway:53 in, answers out to the query's source. */
@Timeout(30)
class DnsOverUdpTest {
    static final int TYPE_A = 1;

    private static byte[] query(int port, byte[] dns) {
        return udp(GUEST_MAC, GATEWAY_MAC, GUEST, GATEWAY, port, 53, dns);
    }

    /** The address of the single A answer; the answer is the last 4 bytes of a one-answer response. */
    private static int lastA(byte[] response) {
        return ByteBuffer.wrap(response).getInt(response.length - 4);
    }

    @Test
    void hostContainersInternalIsAnsweredLocally() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            g.send(query(40000, dnsQuery(0xBEEF, "host.containers.internal", TYPE_A)));
            UdpFrames.Reply r = parse(g.next(5_000));
            assertEquals(GUEST_MAC.bits(), r.dstMac());
            assertEquals(GATEWAY, r.srcIp());
            assertEquals(GUEST, r.dstIp());
            assertEquals(53, r.srcPort());
            assertEquals(40000, r.dstPort());
            ByteBuffer b = ByteBuffer.wrap(r.payload());
            assertEquals(0xBEEF, b.getShort(0) & 0xFFFF, "id");
            assertEquals(0, b.getShort(2) & 0xF, "rcode");
            assertEquals(1, b.getShort(6), "answers");
            assertEquals(HOST, lastA(r.payload()));
        }
    }

    @Test
    void mixedCaseGatewayNameAndRuntimeZone() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            g.send(query(40001, dnsQuery(1, "GATEWAY.Containers.Internal", TYPE_A)));
            assertEquals(GATEWAY, lastA(parse(g.next(5_000)).payload()));
            int ip = Ipv4.parse("192.168.127.77");
            g.network.zoneTable().addZone(new Zone("runtime.test.", List.of(ZoneRecord.named("db", ip)),
                    OptionalInt.empty()));
            g.send(query(40002, dnsQuery(2, "db.runtime.test", TYPE_A)));
            assertEquals(ip, lastA(parse(g.next(5_000)).payload()));
        }
    }

    @Test
    void regexpRecordAndDefaultIpZoneFromTheConfiguration() throws Exception {
        NetworkConfig d = NetworkConfig.defaults();
        int regexpIp = Ipv4.parse("192.168.127.60");
        int wildcardIp = Ipv4.parse("192.168.127.61");
        List<Zone> zones = List.of(
                new Zone("apps.test.", List.of(ZoneRecord.matching("^web-[0-9]+$", regexpIp)), OptionalInt.empty()),
                new Zone("any.test.", List.of(), OptionalInt.of(wildcardIp)));
        NetworkConfig config = new NetworkConfig(d.mtu(), d.subnet(), d.gatewayIp(), d.gatewayMac(), d.deviceIp(),
                d.hostIp(), d.gatewayVirtualIps(), zones, List.of(), d.dhcpStaticLeases(), List.of());
        try (GuestEnd g = new GuestEnd(config)) {
            g.send(query(40010, dnsQuery(10, "web-42.apps.test", TYPE_A)));
            assertEquals(regexpIp, lastA(parse(g.next(5_000)).payload()));
            g.send(query(40011, dnsQuery(11, "whatever.any.test", TYPE_A)));
            assertEquals(wildcardIp, lastA(parse(g.next(5_000)).payload()));
            g.send(query(40012, dnsQuery(12, "db.apps.test", TYPE_A)));
            assertEquals(3, ByteBuffer.wrap(parse(g.next(5_000)).payload()).getShort(2) & 0xF, "NXDOMAIN");
            g.send(query(40013, dnsQuery(13, "host.containers.internal", TYPE_A)));
            assertEquals(2, ByteBuffer.wrap(parse(g.next(5_000)).payload()).getShort(2) & 0xF,
                    "no default zones when the configuration names others, and no nameserver to ask: SERVFAIL");
        }
    }

    @Test
    void missingLocalNameIsNxdomain() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            g.send(query(40003, dnsQuery(3, "nothing.containers.internal", TYPE_A)));
            assertEquals(3, ByteBuffer.wrap(parse(g.next(5_000)).payload()).getShort(2) & 0xF, "NXDOMAIN");
        }
    }

    /** Forwarded answers leave from virtual threads while the gateway thread sends local ones. */
    @Test
    void manyForwardedAndLocalAnswersInterleaveWithoutLoss() throws Exception {
        int queries = 64;
        try (DatagramChannel upstream = DatagramChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread server = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < queries; i++) {
                        ByteBuffer in = ByteBuffer.allocate(512);
                        var from = upstream.receive(in);
                        byte[] r = Arrays.copyOf(in.array(), in.position());
                        r[2] = (byte) 0x81;
                        r[3] = (byte) 0x80;
                        upstream.send(ByteBuffer.wrap(r), from);
                    }
                } catch (Exception e) {
                    // The test fails on the missing answers.
                }
            });
            NetworkConfig config = NetworkConfig.defaults()
                    .withDnsNameservers(List.of((InetSocketAddress) upstream.getLocalAddress()));
            try (GuestEnd g = new GuestEnd(config)) {
                for (int i = 0; i < queries; i++) {
                    g.send(query(41000 + i, dnsQuery(i, "n" + i + ".example.test", TYPE_A)));
                    g.send(query(42000 + i, dnsQuery(1000 + i, "host.containers.internal", TYPE_A)));
                }
                boolean[] forwarded = new boolean[queries];
                boolean[] local = new boolean[queries];
                for (int i = 0; i < 2 * queries; i++) {
                    byte[] frame = g.next(10_000);
                    if (frame == null) {
                        break;
                    }
                    UdpFrames.Reply r = parse(frame);
                    int id = ByteBuffer.wrap(r.payload()).getShort(0) & 0xFFFF;
                    if (r.dstPort() >= 42000) {
                        assertEquals(1000 + r.dstPort() - 42000, id, "local answer id");
                        local[r.dstPort() - 42000] = true;
                    } else {
                        assertEquals(r.dstPort() - 41000, id, "forwarded answer id");
                        forwarded[r.dstPort() - 41000] = true;
                    }
                }
                for (int i = 0; i < queries; i++) {
                    assertEquals(true, forwarded[i] && local[i], "answers for query pair " + i);
                }
            }
            server.join(5_000);
        }
    }

    @Test
    void forwardedAnswerComesBackFromAnotherThreadUnchanged() throws Exception {
        byte[] canned = new byte[] {0, 0, (byte) 0x81, (byte) 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
        try (DatagramChannel upstream = DatagramChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] query = dnsQuery(0x7777, "example.test", TYPE_A);
            byte[] answerRecord = {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, (byte) 198, 51, 100, 9};
            Thread server = Thread.ofVirtual().start(() -> {
                try {
                    ByteBuffer in = ByteBuffer.allocate(512);
                    var from = upstream.receive(in);
                    byte[] q = Arrays.copyOf(in.array(), in.position());
                    ByteBuffer out = ByteBuffer.allocate(q.length + answerRecord.length);
                    out.put(q, 0, 2).put(canned, 2, 10).put(q, 12, q.length - 12).put(answerRecord).flip();
                    upstream.send(out, from);
                } catch (Exception e) {
                    // The test fails on its own timeout.
                }
            });
            NetworkConfig config = NetworkConfig.defaults()
                    .withDnsNameservers(List.of((InetSocketAddress) upstream.getLocalAddress()));
            try (GuestEnd g = new GuestEnd(config)) {
                g.send(query(40004, query));
                UdpFrames.Reply r = parse(g.next(10_000));
                assertEquals(40004, r.dstPort());
                byte[] expected = new byte[query.length + answerRecord.length];
                System.arraycopy(query, 0, expected, 0, query.length);
                System.arraycopy(canned, 2, expected, 2, 10);
                System.arraycopy(answerRecord, 0, expected, query.length, answerRecord.length);
                assertArrayEquals(expected, r.payload());
                assertEquals(1, g.counters.get("dns.forwarded"));
            }
            server.join(5_000);
        }
    }
}
