package io.gvproxy.core.dns;

import java.io.ByteArrayOutputStream;

/** Hand-built queries, as a stub resolver sends them. */
final class DnsQueryBuilder {
    private int id = 0x4242;
    private int flags = DnsWire.FLAG_RD;
    private final String name;
    private final int type;
    private int klass = DnsWire.CLASS_IN;
    private int ednsSize = -1;
    private int ednsVersion;
    private boolean dnssecOk;

    DnsQueryBuilder(String name, int type) {
        this.name = name;
        this.type = type;
    }

    static DnsQueryBuilder query(String name, int type) {
        return new DnsQueryBuilder(name, type);
    }

    DnsQueryBuilder id(int v) { id = v; return this; }
    DnsQueryBuilder flags(int v) { flags = v; return this; }
    DnsQueryBuilder klass(int v) { klass = v; return this; }
    DnsQueryBuilder edns(int size) { ednsSize = size; return this; }
    DnsQueryBuilder ednsVersion(int v) { ednsVersion = v; return this; }
    DnsQueryBuilder dnssecOk() { dnssecOk = true; return this; }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, id);
        u16(out, flags);
        u16(out, 1);
        u16(out, 0);
        u16(out, 0);
        u16(out, ednsSize >= 0 ? 1 : 0);
        out.writeBytes(DnsName.encode(name));
        u16(out, type);
        u16(out, klass);
        if (ednsSize >= 0) {
            out.write(0);
            u16(out, DnsWire.TYPE_OPT);
            u16(out, ednsSize);
            out.write(0);
            out.write(ednsVersion);
            u16(out, dnssecOk ? DnsWire.EDNS_DO : 0);
            u16(out, 0);
        }
        return out.toByteArray();
    }

    static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }
}
