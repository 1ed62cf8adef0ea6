package io.gvproxy.core.dns;

import java.util.ArrayList;
import java.util.List;

/** A parsed DNS message. Counts are bounded by the bytes present, so a lying header cannot allocate much. */
public record DnsMessage(int id, int flags, List<DnsQuestion> questions, List<DnsRecord> answers,
                         List<DnsRecord> authority, List<DnsRecord> additional, Edns edns, int length) {

    public static DnsMessage parse(byte[] msg) throws MalformedDnsException {
        return parse(msg, msg.length);
    }

    /** Parses the first {@code length} bytes; trailing bytes after the last record are malformed too. */
    public static DnsMessage parse(byte[] msg, int length) throws MalformedDnsException {
        if (length < DnsWire.HEADER_LENGTH || length > msg.length) {
            throw new MalformedDnsException("shorter than a header");
        }
        byte[] m = length == msg.length ? msg : java.util.Arrays.copyOf(msg, length);
        int qd = DnsWire.u16(m, 4);
        int an = DnsWire.u16(m, 6);
        int ns = DnsWire.u16(m, 8);
        int ar = DnsWire.u16(m, 10);
        int pos = DnsWire.HEADER_LENGTH;
        List<DnsQuestion> questions = new ArrayList<>(Math.min(qd, 16));
        for (int i = 0; i < qd; i++) {
            DnsName.Read n = DnsName.read(m, pos, DnsWire.HEADER_LENGTH);
            if (n.end() + 4 > m.length) {
                throw new MalformedDnsException("truncated question");
            }
            questions.add(new DnsQuestion(n.name(), DnsWire.u16(m, n.end()), DnsWire.u16(m, n.end() + 2),
                    pos, n.end() + 4));
            pos = n.end() + 4;
        }
        List<DnsRecord> answers = new ArrayList<>(Math.min(an, 16));
        pos = records(m, pos, an, answers);
        List<DnsRecord> authority = new ArrayList<>(Math.min(ns, 16));
        pos = records(m, pos, ns, authority);
        List<DnsRecord> additional = new ArrayList<>(Math.min(ar, 16));
        pos = records(m, pos, ar, additional);
        if (pos != m.length) {
            throw new MalformedDnsException("bytes after the last record");
        }
        Edns edns = null;
        for (DnsRecord r : additional) {
            if (r.type() == DnsWire.TYPE_OPT) {
                if (edns != null || !r.name().equals(".")) {
                    throw new MalformedDnsException("more than one OPT record or OPT not at the root");
                }
                edns = new Edns(r.klass(), (int) (r.ttl() >>> 24), (int) (r.ttl() >>> 16) & 0xFF,
                        (r.ttl() & DnsWire.EDNS_DO) != 0);
            }
        }
        return new DnsMessage(DnsWire.u16(m, 0), DnsWire.u16(m, 2), questions, answers, authority, additional,
                edns, m.length);
    }

    private static int records(byte[] m, int pos, int count, List<DnsRecord> out) throws MalformedDnsException {
        for (int i = 0; i < count; i++) {
            DnsName.Read n = DnsName.read(m, pos, DnsWire.HEADER_LENGTH);
            int p = n.end();
            if (p + 10 > m.length) {
                throw new MalformedDnsException("truncated record header");
            }
            int rdlen = DnsWire.u16(m, p + 8);
            if (p + 10 + rdlen > m.length) {
                throw new MalformedDnsException("record data runs past the end");
            }
            long ttl = ((long) DnsWire.u16(m, p + 4) << 16) | DnsWire.u16(m, p + 6);
            out.add(new DnsRecord(n.name(), DnsWire.u16(m, p), DnsWire.u16(m, p + 2), ttl, p + 10, rdlen,
                    pos, p + 10 + rdlen));
            pos = p + 10 + rdlen;
        }
        return pos;
    }

    public boolean isResponse() {
        return (flags & DnsWire.FLAG_QR) != 0;
    }

    public int opcode() {
        return (flags & DnsWire.OPCODE_MASK) >>> 11;
    }

    public int rcode() {
        return flags & DnsWire.RCODE_MASK;
    }

    public boolean truncated() {
        return (flags & DnsWire.FLAG_TC) != 0;
    }
}
