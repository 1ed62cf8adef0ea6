package io.gvproxy.core.dns;

import java.io.ByteArrayOutputStream;

/** Builds the responses this server writes itself: local answers and errors. */
final class DnsResponses {
    /** Answer names point at the question's name, which always starts right after the header. */
    private static final int QUESTION_NAME_POINTER = 0xC000 | DnsWire.HEADER_LENGTH;

    private DnsResponses() {
    }

    /**
     * A response to {@code query} echoing its question bytes (so the client's 0x20 case survives), with A
     * records for {@code addresses} and an OPT record when the query had one.
     */
    static byte[] answer(byte[] query, DnsMessage q, int rcode, boolean authoritative, int[] addresses,
                         long ttl) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        DnsQuestion question = q.questions().getFirst();
        int flags = DnsWire.FLAG_QR | (q.flags() & (DnsWire.OPCODE_MASK | DnsWire.FLAG_RD | DnsWire.FLAG_CD))
                | DnsWire.FLAG_RA | (authoritative ? DnsWire.FLAG_AA : 0) | (rcode & DnsWire.RCODE_MASK);
        header(out, q.id(), flags, 1, addresses.length, 0, q.edns() != null ? 1 : 0);
        out.write(query, question.start(), question.end() - question.start());
        for (int ip : addresses) {
            u16(out, QUESTION_NAME_POINTER);
            u16(out, DnsWire.TYPE_A);
            u16(out, DnsWire.CLASS_IN);
            u32(out, ttl);
            u16(out, 4);
            u32(out, ip & 0xFFFF_FFFFL);
        }
        if (q.edns() != null) {
            opt(out, rcode >>> 4, q.edns().dnssecOk());
        }
        return out.toByteArray();
    }

    /**
     * A response without a question (for queries whose body could not be read): only the header fields that
     * were readable are echoed. {@code rcode} may be an extended one (BADVERS), which needs {@code withOpt}.
     */
    static byte[] headerOnly(byte[] query, int rcode, boolean withOpt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(24);
        int qflags = DnsWire.u16(query, 2);
        int flags = DnsWire.FLAG_QR | (qflags & (DnsWire.OPCODE_MASK | DnsWire.FLAG_RD | DnsWire.FLAG_CD))
                | DnsWire.FLAG_RA | (rcode & DnsWire.RCODE_MASK);
        header(out, DnsWire.u16(query, 0), flags, 0, 0, 0, withOpt ? 1 : 0);
        if (withOpt) {
            opt(out, rcode >>> 4, false);
        }
        return out.toByteArray();
    }

    private static void header(ByteArrayOutputStream out, int id, int flags, int qd, int an, int ns, int ar) {
        u16(out, id);
        u16(out, flags);
        u16(out, qd);
        u16(out, an);
        u16(out, ns);
        u16(out, ar);
    }

    private static void opt(ByteArrayOutputStream out, int extendedRcode, boolean dnssecOk) {
        out.write(0);
        u16(out, DnsWire.TYPE_OPT);
        u16(out, DnsWire.ADVERTISED_UDP_PAYLOAD);
        u32(out, ((long) (extendedRcode & 0xFF) << 24) | (dnssecOk ? DnsWire.EDNS_DO : 0));
        u16(out, 0);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void u32(ByteArrayOutputStream out, long v) {
        u16(out, (int) (v >>> 16) & 0xFFFF);
        u16(out, (int) v & 0xFFFF);
    }
}
