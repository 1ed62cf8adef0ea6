package io.gvproxy.core.dns;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

class DnsMessageTest {
    @Test
    void parsesQueriesWithEdns() throws Exception {
        byte[] q = DnsQueryBuilder.query("Example.COM.", DnsWire.TYPE_AAAA).id(0xABCD).edns(4096).dnssecOk().bytes();
        DnsMessage m = DnsMessage.parse(q);
        assertEquals(0xABCD, m.id());
        assertFalse(m.isResponse());
        assertEquals(new DnsQuestion("Example.COM.", DnsWire.TYPE_AAAA, DnsWire.CLASS_IN, 12, 29), m.questions().getFirst());
        assertEquals(new Edns(4096, 0, 0, true), m.edns());
        assertEquals(q.length, m.length());
    }

    @Test
    void parsesResponsesWithCompressedRecords() throws Exception {
        byte[] q = DnsQueryBuilder.query("svc.example.", DnsWire.TYPE_MX).bytes();
        DnsMessage m = DnsMessage.parse(FakeUpstream.response(q, FakeUpstream.Mode.ANSWER));
        assertTrue(m.isResponse());
        DnsRecord r = m.answers().getFirst();
        assertEquals("svc.example.", r.name());
        assertEquals(DnsWire.TYPE_MX, r.type());
        assertEquals(300, r.ttl());
        assertEquals(2 + 14, r.rdataLength());
    }

    @Test
    void rejectsInconsistentMessages() {
        byte[] q = DnsQueryBuilder.query("a.example.", DnsWire.TYPE_A).bytes();
        byte[] extra = java.util.Arrays.copyOf(q, q.length + 1);
        assertThrows(MalformedDnsException.class, () -> DnsMessage.parse(extra), "trailing byte");
        byte[] lying = q.clone();
        DnsWire.put16(lying, 6, 1);
        assertThrows(MalformedDnsException.class, () -> DnsMessage.parse(lying), "answer count past the end");
        byte[] rdlen = HexFormat.of().parseHex("000081800000000100000000" + "00 0001 0001 00000000 0010 01020304".replace(" ", ""));
        assertThrows(MalformedDnsException.class, () -> DnsMessage.parse(rdlen));
        byte[] twoOpt = DnsQueryBuilder.query("a.", 1).edns(512).bytes();
        byte[] both = new byte[twoOpt.length + 11];
        System.arraycopy(twoOpt, 0, both, 0, twoOpt.length);
        System.arraycopy(twoOpt, twoOpt.length - 11, both, twoOpt.length, 11);
        DnsWire.put16(both, 10, 2);
        assertThrows(MalformedDnsException.class, () -> DnsMessage.parse(both));
        assertThrows(MalformedDnsException.class, () -> DnsMessage.parse(new byte[11]));
    }

    @Test
    void truncationKeepsWholeRecordsTheQuestionAndOpt() throws Exception {
        byte[] q = DnsQueryBuilder.query("big.example.", DnsWire.TYPE_TXT).bytes();
        byte[] full = FakeUpstream.response(q, FakeUpstream.Mode.ANSWER);
        // Add an OPT record to the upstream answer.
        byte[] opt = HexFormat.of().parseHex("0000291000000000000000");
        byte[] withOpt = new byte[full.length + opt.length];
        System.arraycopy(full, 0, withOpt, 0, full.length);
        System.arraycopy(opt, 0, withOpt, full.length, opt.length);
        DnsWire.put16(withOpt, 10, 1);
        for (int limit : new int[] {512, 700, 1232, 3000}) {
            byte[] cut = DnsTruncation.fit(withOpt, limit);
            assertTrue(cut.length <= limit);
            DnsMessage m = DnsMessage.parse(cut);
            assertTrue(m.truncated());
            assertEquals(1, m.questions().size());
            assertNotNull(m.edns());
            DnsMessage all = DnsMessage.parse(withOpt);
            int n = m.answers().size();
            assertTrue(n > 0);
            // The kept records are the first n, byte for byte, and one more would not have fit.
            assertArrayEquals(java.util.Arrays.copyOf(withOpt, all.answers().get(n - 1).end()),
                    patchHeader(java.util.Arrays.copyOf(cut, all.answers().get(n - 1).end()), withOpt));
            assertTrue(all.answers().get(n).end() + opt.length > limit);
        }
        assertSame(withOpt, DnsTruncation.fit(withOpt, withOpt.length));
    }

    private static byte[] patchHeader(byte[] cut, byte[] original) {
        System.arraycopy(original, 0, cut, 0, 12);
        return cut;
    }

    @Test
    void unparseableOversizedAnswerIsCutToAHeaderWithTc() throws Exception {
        byte[] junk = new byte[600];
        junk[0] = 0x12;
        junk[2] = (byte) 0x81;
        junk[5] = 1;
        junk[12] = (byte) 0xC0;
        byte[] cut = DnsTruncation.fit(junk, 512);
        assertEquals(12, cut.length);
        DnsMessage m = DnsMessage.parse(cut);
        assertTrue(m.truncated());
        assertEquals(0x1200, m.id());
        assertTrue(m.questions().isEmpty());
    }
}
