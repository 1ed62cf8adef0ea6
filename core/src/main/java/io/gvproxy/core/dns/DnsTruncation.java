package io.gvproxy.core.dns;

import java.io.ByteArrayOutputStream;

/** Fits a response into a UDP payload limit by dropping whole records and setting TC (RFC 2181 §9). */
public final class DnsTruncation {
    private DnsTruncation() {
    }

    /**
     * {@code response} itself when it fits in {@code limit} bytes; otherwise its header and questions, as many
     * leading answer and then authority records as fit, and its OPT record, with TC set. Compression pointers
     * only point backwards, so a kept prefix never points into a dropped record. A response that cannot be
     * parsed is cut to its header with TC set and all counts zero.
     */
    public static byte[] fit(byte[] response, int limit) {
        if (response.length <= limit) {
            return response;
        }
        DnsMessage m;
        try {
            m = DnsMessage.parse(response);
        } catch (MalformedDnsException e) {
            byte[] h = java.util.Arrays.copyOf(response, DnsWire.HEADER_LENGTH);
            DnsWire.put16(h, 2, DnsWire.u16(h, 2) | DnsWire.FLAG_TC);
            for (int i = 4; i < DnsWire.HEADER_LENGTH; i++) {
                h[i] = 0;
            }
            return h;
        }
        DnsRecord opt = m.additional().stream().filter(r -> r.type() == DnsWire.TYPE_OPT).findFirst().orElse(null);
        int optLength = opt == null ? 0 : opt.end() - opt.start();
        int questionsEnd = m.questions().isEmpty() ? DnsWire.HEADER_LENGTH : m.questions().getLast().end();
        int qd = m.questions().size();
        if (questionsEnd + optLength > limit) {
            questionsEnd = DnsWire.HEADER_LENGTH;
            qd = 0;
        }
        int budget = limit - optLength;
        int end = questionsEnd;
        int an = 0;
        int ns = 0;
        for (DnsRecord r : m.answers()) {
            if (r.end() > budget || r.start() != end) {
                break;
            }
            end = r.end();
            an++;
        }
        if (an == m.answers().size()) {
            for (DnsRecord r : m.authority()) {
                if (r.end() > budget || r.start() != end) {
                    break;
                }
                end = r.end();
                ns++;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(limit);
        out.write(response, 0, end);
        if (opt != null) {
            out.write(response, opt.start(), optLength);
        }
        byte[] b = out.toByteArray();
        DnsWire.put16(b, 2, DnsWire.u16(b, 2) | DnsWire.FLAG_TC);
        DnsWire.put16(b, 4, qd);
        DnsWire.put16(b, 6, an);
        DnsWire.put16(b, 8, ns);
        DnsWire.put16(b, 10, opt != null ? 1 : 0);
        return b;
    }
}
