package io.gvproxy.core.dns;

/** Constants of the DNS wire format (RFC 1035, RFC 6891). */
public final class DnsWire {
    public static final int HEADER_LENGTH = 12;
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_LABEL_LENGTH = 63;
    public static final int MIN_UDP_PAYLOAD = 512;
    public static final int MAX_MESSAGE = 65535;

    public static final int FLAG_QR = 0x8000;
    public static final int OPCODE_MASK = 0x7800;
    public static final int FLAG_AA = 0x0400;
    public static final int FLAG_TC = 0x0200;
    public static final int FLAG_RD = 0x0100;
    public static final int FLAG_RA = 0x0080;
    public static final int FLAG_CD = 0x0010;
    public static final int RCODE_MASK = 0x000F;

    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_FORMERR = 1;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;
    public static final int RCODE_NOTIMP = 4;
    public static final int RCODE_REFUSED = 5;
    /** Extended RCODE 16: the upper 8 bits (1) go in the OPT record, the lower 4 bits (0) in the header. */
    public static final int RCODE_BADVERS = 16;

    public static final int TYPE_A = 1;
    public static final int TYPE_NS = 2;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_PTR = 12;
    public static final int TYPE_MX = 15;
    public static final int TYPE_TXT = 16;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_SRV = 33;
    public static final int TYPE_OPT = 41;
    public static final int TYPE_ANY = 255;

    public static final int CLASS_IN = 1;
    public static final int CLASS_ANY = 255;

    /** The EDNS0 payload size this server advertises (the DNS Flag Day 2020 value). */
    public static final int ADVERTISED_UDP_PAYLOAD = 1232;
    public static final int EDNS_DO = 0x8000;

    private DnsWire() {
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
