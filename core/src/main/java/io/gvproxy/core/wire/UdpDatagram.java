package io.gvproxy.core.wire;

import java.lang.foreign.MemorySegment;

/** A UDP datagram (RFC 768). The view covers the IP payload; the UDP length field must fit inside it. */
public final class UdpDatagram extends WireView {
    public static final int HEADER_LENGTH = 8;

    @Override
    Malformed validate() {
        if (length < HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        int len = u16(4);
        if (len < HEADER_LENGTH) {
            return Malformed.BAD_TOTAL_LENGTH;
        }
        if (len > length) {
            return Malformed.TRUNCATED;
        }
        return null;
    }

    public int sourcePort() {
        return u16(0);
    }

    public int destinationPort() {
        return u16(2);
    }

    /** The length field: header plus payload. */
    public int datagramLength() {
        return u16(4);
    }

    /** The checksum field; 0 means the sender did not compute one. */
    public int checksum() {
        return u16(6);
    }

    public long payloadOffset() {
        return base + HEADER_LENGTH;
    }

    public int payloadLength() {
        return datagramLength() - HEADER_LENGTH;
    }

    /** Whether the checksum verifies against the IPv4 pseudo-header; a zero checksum (none sent) passes. */
    public boolean checksumValid(int sourceIp, int destinationIp) {
        if (checksum() == 0) {
            return true;
        }
        int len = datagramLength();
        int pseudo = Checksum.pseudoHeaderSum(sourceIp, destinationIp, IpProtocol.UDP, len);
        return Checksum.sum(seg, base, len, pseudo) == 0xFFFF;
    }

    /**
     * Writes the header at {@code offset} and the checksum over it, the {@code payloadLength} bytes already
     * following it and the pseudo-header; returns the offset after the datagram.
     */
    public static long write(MemorySegment seg, long offset, int sourcePort, int destinationPort, int payloadLength,
                             int sourceIp, int destinationIp) {
        int len = HEADER_LENGTH + payloadLength;
        put16(seg, offset, sourcePort);
        put16(seg, offset + 2, destinationPort);
        put16(seg, offset + 4, len);
        put16(seg, offset + 6, 0);
        int pseudo = Checksum.pseudoHeaderSum(sourceIp, destinationIp, IpProtocol.UDP, len);
        int c = Checksum.finish(Checksum.sum(seg, offset, len, pseudo));
        // RFC 768: a computed zero is sent as all ones, since zero means "no checksum".
        put16(seg, offset + 6, c == 0 ? 0xFFFF : c);
        return offset + len;
    }
}
