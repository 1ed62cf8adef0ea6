package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Forwarding through fake nameservers on 127.0.0.1 that the test runs itself. */
class DnsForwardingTest {
    final Counters counters = new Counters();
    final List<AutoCloseable> closeMe = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeMe) {
            c.close();
        }
    }

    FakeUpstream upstream(FakeUpstream.Mode mode) throws IOException {
        FakeUpstream f = new FakeUpstream(mode);
        closeMe.add(f);
        return f;
    }

    DnsServer server(Duration timeout, InetSocketAddress... nameservers) {
        DnsServer s = new DnsServer(DnsConfig.of(List.of(nameservers)).withTimeout(timeout),
                ZoneTable.defaults(ZoneTableTest.GW, ZoneTableTest.HOST), counters);
        closeMe.add(s);
        return s;
    }

    static byte[] ask(DnsServer s, byte[] query, DnsTransport transport) throws Exception {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        s.handle(query, transport, f::complete);
        return f.get(20, TimeUnit.SECONDS);
    }

    static byte[] expected(byte[] query) {
        return FakeUpstream.response(query, FakeUpstream.Mode.ANSWER);
    }

    @ParameterizedTest
    @ValueSource(ints = {DnsWire.TYPE_A, DnsWire.TYPE_AAAA, DnsWire.TYPE_MX, DnsWire.TYPE_TXT, DnsWire.TYPE_SRV,
            DnsWire.TYPE_PTR, DnsWire.TYPE_SOA, DnsWire.TYPE_CNAME, 257})
    void everyTypeIsForwardedAndAnsweredUnchanged(int type) throws Exception {
        FakeUpstream up = upstream(FakeUpstream.Mode.ANSWER);
        DnsServer s = server(Duration.ofSeconds(2), up.udpAddress());
        String name = type == DnsWire.TYPE_PTR ? "7.100.51.198.in-addr.arpa." : "svc.example.";
        byte[] q = DnsQueryBuilder.query(name, type).id(0x1357).bytes();
        byte[] r = ask(s, q, DnsTransport.UDP);
        assertArrayEquals(expected(q), r);
        assertEquals(0x1357, DnsWire.u16(r, 0));
        assertEquals(1, up.udpQueries.get());
        assertEquals(0, up.tcpQueries.get());
    }

    @Test
    void inZoneTypesOtherThanAddressStayLocal() throws Exception {
        FakeUpstream up = upstream(FakeUpstream.Mode.ANSWER);
        DnsServer s = server(Duration.ofSeconds(2), up.udpAddress());
        DnsMessage m = DnsMessage.parse(ask(s, DnsQueryBuilder.query("gateway.containers.internal.",
                DnsWire.TYPE_AAAA).bytes(), DnsTransport.UDP));
        assertEquals(0, m.answers().size());
        assertEquals(0, up.udpQueries.get());
    }

    @Test
    void truncatedUdpAnswerIsRetriedOverTcp() throws Exception {
        FakeUpstream up = upstream(FakeUpstream.Mode.TRUNCATE_UDP);
        DnsServer s = server(Duration.ofSeconds(2), up.udpAddress());
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_TXT).id(99).bytes();
        assertArrayEquals(expected(q), ask(s, q, DnsTransport.TCP));
        assertEquals(1, up.udpQueries.get());
        assertEquals(1, up.tcpQueries.get());
        assertEquals(1, counters.get("dns.upstream.tcp_retries"));
    }

    @Test
    void whenTheTcpRetryFailsTheTruncatedAnswerIsTheLastResort() throws Exception {
        FakeUpstream up = upstream(FakeUpstream.Mode.TRUNCATE_ONLY);
        DnsServer s = server(Duration.ofSeconds(2), up.udpAddress());
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_TXT).id(77).bytes();
        byte[] r = ask(s, q, DnsTransport.UDP);
        assertArrayEquals(FakeUpstream.truncatedResponse(q), r);
        assertEquals(1, counters.get("dns.upstream.tcp_failures"));
    }

    @Test
    void strayAnswersWithAnotherIdAreIgnored() throws Exception {
        FakeUpstream up = upstream(FakeUpstream.Mode.WRONG_ID_FIRST);
        DnsServer s = server(Duration.ofSeconds(2), up.udpAddress());
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_A).bytes();
        assertArrayEquals(expected(q), ask(s, q, DnsTransport.UDP));
        assertEquals(1, counters.get("dns.upstream.mismatched_responses"));
    }

    @Test
    void timeoutMovesOnToTheNextNameserver() throws Exception {
        FakeUpstream silent = upstream(FakeUpstream.Mode.SILENT);
        FakeUpstream good = upstream(FakeUpstream.Mode.ANSWER);
        DnsServer s = server(Duration.ofMillis(300), silent.udpAddress(), good.udpAddress());
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_A).bytes();
        long t0 = System.nanoTime();
        assertArrayEquals(expected(q), ask(s, q, DnsTransport.UDP));
        assertTrue(System.nanoTime() - t0 >= 250_000_000L, "waited for the first server's timeout");
        assertEquals(1, silent.udpQueries.get());
        assertEquals(1, counters.get("dns.upstream.udp_timeouts"));
    }

    @Test
    void servfailFromOneNameserverFallsThroughToTheNext() throws Exception {
        FakeUpstream failing = upstream(FakeUpstream.Mode.SERVFAIL);
        FakeUpstream good = upstream(FakeUpstream.Mode.ANSWER);
        DnsServer s = server(Duration.ofSeconds(2), failing.udpAddress(), good.udpAddress());
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_MX).bytes();
        assertArrayEquals(expected(q), ask(s, q, DnsTransport.UDP));
        DnsServer onlyFailing = server(Duration.ofSeconds(2), failing.udpAddress());
        byte[] r = ask(onlyFailing, q, DnsTransport.UDP);
        assertArrayEquals(FakeUpstream.response(q, FakeUpstream.Mode.SERVFAIL), r, "the upstream's own answer");
    }

    @Test
    void allNameserversFailingGivesServfail() throws Exception {
        FakeUpstream a = upstream(FakeUpstream.Mode.SILENT);
        FakeUpstream b = upstream(FakeUpstream.Mode.SILENT);
        DnsServer s = server(Duration.ofMillis(200), a.udpAddress(), b.udpAddress());
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_A).id(0x2222).edns(1232).bytes();
        DnsMessage m = DnsMessage.parse(ask(s, q, DnsTransport.UDP));
        assertEquals(DnsWire.RCODE_SERVFAIL, m.rcode());
        assertEquals(0x2222, m.id());
        assertEquals("svc.example.", m.questions().getFirst().name());
        assertNotNull(m.edns());
        assertEquals(1, counters.get("dns.servfail_upstream"));
    }

    @Test
    void largeAnswerIsTruncatedToTheClientsUdpSize() throws Exception {
        FakeUpstream up = upstream(FakeUpstream.Mode.ANSWER);
        DnsServer s = server(Duration.ofSeconds(2), up.udpAddress());
        byte[] plain = DnsQueryBuilder.query("big.example.", DnsWire.TYPE_TXT).bytes();
        int full = expected(plain).length;
        assertTrue(full > 4096);

        byte[] r512 = ask(s, plain, DnsTransport.UDP);
        assertTrue(r512.length <= 512);
        DnsMessage m = DnsMessage.parse(r512);
        assertTrue(m.truncated());
        assertTrue(m.answers().size() > 0 && m.answers().size() < 60);

        byte[] edns = DnsQueryBuilder.query("big.example.", DnsWire.TYPE_TXT).edns(1500).bytes();
        byte[] r1500 = ask(s, edns, DnsTransport.UDP);
        assertTrue(r1500.length <= 1500 && r1500.length > 1000);
        assertTrue(DnsMessage.parse(r1500).truncated());

        byte[] huge = DnsQueryBuilder.query("big.example.", DnsWire.TYPE_TXT).edns(65000).bytes();
        assertFalse(DnsMessage.parse(ask(s, huge, DnsTransport.UDP)).truncated());
        byte[] tcp = ask(s, plain, DnsTransport.TCP);
        assertArrayEquals(expected(plain), tcp, "TCP answers are not truncated");
        assertEquals(2, counters.get("dns.truncated"));
    }

    @Test
    void inFlightForwardsAreBounded() throws Exception {
        FakeUpstream silent = upstream(FakeUpstream.Mode.SILENT);
        DnsServer s = new DnsServer(DnsConfig.of(List.of(silent.udpAddress())).withTimeout(Duration.ofMillis(500))
                .withMaxInFlight(2), ZoneTable.defaults(ZoneTableTest.GW, ZoneTableTest.HOST), counters);
        closeMe.add(s);
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            s.handle(DnsQueryBuilder.query("q" + i + ".example.", DnsWire.TYPE_A).bytes(), DnsTransport.UDP,
                    f::complete);
            answers.add(f);
        }
        assertEquals(3, counters.get("dns.dropped_too_many_in_flight"));
        assertEquals(2, s.inFlight());
        for (int i = 0; i < 2; i++) {
            assertEquals(DnsWire.RCODE_SERVFAIL, DnsWire.u16(answers.get(i).get(10, TimeUnit.SECONDS), 2) & 0xF);
        }
        for (int i = 2; i < 5; i++) {
            assertFalse(answers.get(i).isDone());
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (s.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, s.inFlight());
    }

    @Test
    void forwarderRestoresTheClientsId() throws Exception {
        // The raw exchange restores the client's ID even though upstream saw a random one.
        FakeUpstream up = upstream(FakeUpstream.Mode.ANSWER);
        DnsForwarder f = new DnsForwarder(List.of(up.udpAddress()), Duration.ofSeconds(2), counters);
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_A).id(0xFFFF).bytes();
        assertArrayEquals(expected(q), f.exchange(q).orElseThrow());
        assertEquals(0, counters.get("dns.upstream.mismatched_responses"));
    }
}
