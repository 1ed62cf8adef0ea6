package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Answers the server gives itself (no upstream configured, so anything forwarded fails at once). */
class DnsServerLocalTest {
    final Counters counters = new Counters();
    final DnsServer server = new DnsServer(DnsConfig.of(List.of()),
            ZoneTable.defaults(ZoneTableTest.GW, ZoneTableTest.HOST), counters);

    List<byte[]> ask(byte[] query, DnsTransport transport) {
        List<byte[]> out = new ArrayList<>();
        boolean answered = server.handle(query, transport, out::add);
        assertEquals(answered, !out.isEmpty(), "handle's result says whether the responder is called");
        return out;
    }

    byte[] one(byte[] query) {
        List<byte[]> r = ask(query, DnsTransport.UDP);
        assertEquals(1, r.size());
        return r.getFirst();
    }

    static DnsMessage parse(byte[] b) throws MalformedDnsException {
        return DnsMessage.parse(b);
    }

    @Test
    void localAnswerIsByteExact() {
        byte[] q = DnsQueryBuilder.query("gateway.containers.internal.", DnsWire.TYPE_A).id(0xBEEF).bytes();
        byte[] r = one(q);
        String question = HexFormat.of().formatHex(q, 12, q.length);
        assertEquals("beef" + "8580" + "0001" + "0001" + "0000" + "0000" + question
                + "c00c" + "0001" + "0001" + "0000003c" + "0004" + "c0a87f01", HexFormat.of().formatHex(r));
    }

    @Test
    void caseOfTheQuestionIsEchoedAndTtlIsConfigurable() throws Exception {
        DnsServer s = new DnsServer(DnsConfig.of(List.of()).withTtlSeconds(5),
                ZoneTable.defaults(ZoneTableTest.GW, ZoneTableTest.HOST), counters);
        List<byte[]> out = new ArrayList<>();
        s.handle(DnsQueryBuilder.query("HoSt.Docker.Internal.", DnsWire.TYPE_A).bytes(), DnsTransport.UDP, out::add);
        DnsMessage m = parse(out.getFirst());
        assertEquals("HoSt.Docker.Internal.", m.questions().getFirst().name());
        assertEquals("HoSt.Docker.Internal.", m.answers().getFirst().name());
        assertEquals(5, m.answers().getFirst().ttl());
    }

    @Test
    void aaaaAndOtherTypesForAnExistingNameAreNodata() throws Exception {
        for (int type : new int[] {DnsWire.TYPE_AAAA, DnsWire.TYPE_MX, DnsWire.TYPE_TXT}) {
            DnsMessage m = parse(one(DnsQueryBuilder.query("gateway.containers.internal.", type).bytes()));
            assertEquals(DnsWire.RCODE_NOERROR, m.rcode());
            assertTrue(m.answers().isEmpty());
            assertTrue((m.flags() & DnsWire.FLAG_AA) != 0);
        }
    }

    @Test
    void unknownNameInAZoneIsNxdomainWithoutSoa() throws Exception {
        for (int type : new int[] {DnsWire.TYPE_A, DnsWire.TYPE_AAAA}) {
            DnsMessage m = parse(one(DnsQueryBuilder.query("nope.containers.internal.", type).bytes()));
            assertEquals(DnsWire.RCODE_NXDOMAIN, m.rcode());
            assertTrue(m.answers().isEmpty() && m.authority().isEmpty());
        }
    }

    @Test
    void ednsIsEchoedWithOurPayloadSizeAndDoBit() throws Exception {
        DnsMessage m = parse(one(DnsQueryBuilder.query("gateway.containers.internal.", DnsWire.TYPE_A)
                .edns(4096).dnssecOk().bytes()));
        assertEquals(new Edns(DnsWire.ADVERTISED_UDP_PAYLOAD, 0, 0, true), m.edns());
        assertEquals(1, m.answers().size());
    }

    @Test
    void unsupportedEdnsVersionIsBadvers() throws Exception {
        byte[] r = one(DnsQueryBuilder.query("gateway.containers.internal.", DnsWire.TYPE_A).edns(1232)
                .ednsVersion(1).bytes());
        DnsMessage m = parse(r);
        assertEquals(0, m.rcode());
        assertEquals(1, m.edns().extendedRcode(), "BADVERS = 16: upper bits in OPT");
        assertEquals(1, counters.get("dns.badvers"));
    }

    @Test
    void upstreamFailureIsServfailNotNxdomain() throws Exception {
        DnsMessage m = parse(one(DnsQueryBuilder.query("example.com.", DnsWire.TYPE_A).bytes()));
        assertEquals(DnsWire.RCODE_SERVFAIL, m.rcode());
        assertEquals("example.com.", m.questions().getFirst().name());
        assertEquals(1, counters.get("dns.servfail_upstream"));
    }

    @Test
    void malformedQueriesAreFormerrWhenTheHeaderIsReadableAndDroppedOtherwise() throws Exception {
        byte[] good = DnsQueryBuilder.query("gateway.containers.internal.", DnsWire.TYPE_A).id(7).bytes();
        assertTrue(ask(java.util.Arrays.copyOf(good, 11), DnsTransport.UDP).isEmpty());
        assertEquals(1, counters.get("dns.dropped_unreadable"));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 2);
        DnsMessage m = parse(one(truncated));
        assertEquals(DnsWire.RCODE_FORMERR, m.rcode());
        assertEquals(7, m.id());
        assertTrue(m.isResponse());
        byte[] loop = HexFormat.of().parseHex("00070100000100000000000003616263c00c00010001");
        assertEquals(DnsWire.RCODE_FORMERR, parse(one(loop)).rcode());
        byte[] twoQuestions = good.clone();
        DnsWire.put16(twoQuestions, 4, 2);
        assertEquals(DnsWire.RCODE_FORMERR, parse(one(twoQuestions)).rcode());
        byte[] noQuestion = java.util.Arrays.copyOf(good, 12);
        DnsWire.put16(noQuestion, 4, 0);
        assertEquals(DnsWire.RCODE_FORMERR, parse(one(noQuestion)).rcode());
        assertEquals(4, counters.get("dns.formerr"));
    }

    @Test
    void responsesAreDroppedAndOtherOpcodesAreNotimp() throws Exception {
        byte[] response = DnsQueryBuilder.query("a.test.", DnsWire.TYPE_A).flags(DnsWire.FLAG_QR).bytes();
        assertTrue(ask(response, DnsTransport.UDP).isEmpty());
        assertEquals(1, counters.get("dns.dropped_response"));
        byte[] notify = DnsQueryBuilder.query("a.test.", DnsWire.TYPE_SOA).flags(4 << 11).bytes();
        DnsMessage m = parse(one(notify));
        assertEquals(DnsWire.RCODE_NOTIMP, m.rcode());
        assertEquals(4, m.opcode());
    }

    @Test
    void nonInternetClassIsNotAnsweredLocally() throws Exception {
        DnsMessage m = parse(one(DnsQueryBuilder.query("gateway.containers.internal.", DnsWire.TYPE_A)
                .klass(3).bytes()));
        assertEquals(DnsWire.RCODE_SERVFAIL, m.rcode(), "forwarded, and there is no upstream here");
    }
}
