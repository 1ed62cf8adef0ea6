package io.gvproxy.core.dhcp;

import java.io.ByteArrayOutputStream;

/** Appends options in wire form; a value longer than 255 bytes is split over several instances (RFC 3396). */
final class DhcpOptionWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    DhcpOptionWriter put(int code, byte[] value) {
        int off = 0;
        do {
            int n = Math.min(255, value.length - off);
            out.write(code);
            out.write(n);
            out.write(value, off, n);
            off += n;
        } while (off < value.length);
        return this;
    }

    DhcpOptionWriter putByte(int code, int v) {
        return put(code, new byte[] {(byte) v});
    }

    DhcpOptionWriter putInt(int code, int v) {
        return put(code, int32(v));
    }

    DhcpOptionWriter putShort(int code, int v) {
        return put(code, new byte[] {(byte) (v >>> 8), (byte) v});
    }

    static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
