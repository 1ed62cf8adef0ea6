package io.gvproxy.core.wire;

import java.lang.foreign.MemorySegment;

/**
 * A TCP segment (RFC 9293). {@code wrap} also walks the option area, so a view that wrapped successfully has
 * well-formed options: every option fits, and known kinds have their defined sizes. Unknown kinds are skipped
 * by their length byte.
 */
public final class TcpSegment extends WireView {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
    /** The experimental nonce-sum bit (RFC 3540, historic), the low bit of byte 12. */
    public static final int NS = 0x100;

    @Override
    Malformed validate() {
        if (length < MIN_HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        int hl = (u8(12) >>> 4) * 4;
        if (hl < MIN_HEADER_LENGTH) {
            return Malformed.BAD_HEADER_LENGTH;
        }
        if (hl > length) {
            return Malformed.TRUNCATED;
        }
        return walkOptions(null);
    }

    /** Fills {@code into} from the option area (after clearing it). The view has validated the options. */
    public TcpOptions readOptions(TcpOptions into) {
        into.clear();
        walkOptions(into);
        return into;
    }

    private Malformed walkOptions(TcpOptions into) {
        long at = base + MIN_HEADER_LENGTH;
        long end = base + headerLength();
        while (at < end) {
            int kind = u8(seg, at);
            if (kind == TcpOptions.KIND_EOL) {
                return null;
            }
            if (kind == TcpOptions.KIND_NOP) {
                at++;
                continue;
            }
            if (at + 1 >= end) {
                return Malformed.BAD_OPTION_LENGTH;
            }
            int len = u8(seg, at + 1);
            if (len < 2 || at + len > end) {
                return Malformed.BAD_OPTION_LENGTH;
            }
            switch (kind) {
                case TcpOptions.KIND_MSS -> {
                    if (len != 4) {
                        return Malformed.BAD_OPTION_SIZE;
                    }
                    if (into != null) {
                        into.mss(u16(seg, at + 2));
                    }
                }
                case TcpOptions.KIND_WINDOW_SCALE -> {
                    if (len != 3) {
                        return Malformed.BAD_OPTION_SIZE;
                    }
                    if (into != null) {
                        into.windowScale(u8(seg, at + 2));
                    }
                }
                case TcpOptions.KIND_SACK_PERMITTED -> {
                    if (len != 2) {
                        return Malformed.BAD_OPTION_SIZE;
                    }
                    if (into != null) {
                        into.sackPermitted(true);
                    }
                }
                case TcpOptions.KIND_SACK -> {
                    int blocks = (len - 2) / 8;
                    if ((len - 2) % 8 != 0 || blocks < 1 || blocks > TcpOptions.MAX_SACK_BLOCKS) {
                        return Malformed.BAD_OPTION_SIZE;
                    }
                    if (into != null) {
                        for (int b = 0; b < blocks; b++) {
                            into.addSackBlock(seg.get(U32, at + 2 + 8L * b), seg.get(U32, at + 6 + 8L * b));
                        }
                    }
                }
                case TcpOptions.KIND_TIMESTAMPS -> {
                    if (len != 10) {
                        return Malformed.BAD_OPTION_SIZE;
                    }
                    if (into != null) {
                        into.timestamps(seg.get(U32, at + 2), seg.get(U32, at + 6));
                    }
                }
                default -> {
                    // Unknown kinds carry a length so that receivers can skip them (RFC 9293 §3.1).
                }
            }
            at += len;
        }
        return null;
    }

    public int sourcePort() {
        return u16(0);
    }

    public int destinationPort() {
        return u16(2);
    }

    public int sequenceNumber() {
        return i32(4);
    }

    public int acknowledgmentNumber() {
        return i32(8);
    }

    /** Header length in bytes (data offset * 4), options included. */
    public int headerLength() {
        return (u8(12) >>> 4) * 4;
    }

    /** The nine flag bits, {@link #NS} down to {@link #FIN}. */
    public int flags() {
        return u16(12) & 0x1FF;
    }

    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    public int window() {
        return u16(14);
    }

    public int checksum() {
        return u16(16);
    }

    public int urgentPointer() {
        return u16(18);
    }

    /** Offset of the option area in {@link #segment()}. */
    public long optionsOffset() {
        return base + MIN_HEADER_LENGTH;
    }

    public long payloadOffset() {
        return base + headerLength();
    }

    /** Payload bytes: all of the view after the header (the IPv4 view has already trimmed to its total length). */
    public long payloadLength() {
        return length - headerLength();
    }

    /** Whether the checksum over the segment in view verifies against the IPv4 pseudo-header. */
    public boolean checksumValid(int sourceIp, int destinationIp) {
        int pseudo = Checksum.pseudoHeaderSum(sourceIp, destinationIp, IpProtocol.TCP, (int) length);
        return Checksum.sum(seg, base, length, pseudo) == 0xFFFF;
    }

    /** Header length {@link #write} produces for these options (null for none). */
    public static int headerLength(TcpOptions options) {
        return MIN_HEADER_LENGTH + (options == null ? 0 : options.encodedLength());
    }

    /**
     * Writes header and options at {@code offset}, then the checksum over them, the {@code payloadLength} bytes
     * the caller already placed at {@code offset + headerLength(options)}, and the pseudo-header.
     *
     * @return the offset after the segment
     */
    public static long write(MemorySegment seg, long offset, int sourcePort, int destinationPort, int sequence,
                             int acknowledgment, int flags, int window, int urgentPointer, TcpOptions options,
                             int payloadLength, int sourceIp, int destinationIp) {
        int hl = headerLength(options);
        if (hl > MIN_HEADER_LENGTH + TcpOptions.MAX_LENGTH) {
            throw new IllegalArgumentException("TCP options need " + (hl - MIN_HEADER_LENGTH) + " bytes, at most 40 fit");
        }
        put16(seg, offset, sourcePort);
        put16(seg, offset + 2, destinationPort);
        put32(seg, offset + 4, sequence);
        put32(seg, offset + 8, acknowledgment);
        put16(seg, offset + 12, ((hl / 4) << 12) | (flags & 0x1FF));
        put16(seg, offset + 14, window);
        put16(seg, offset + 16, 0);
        put16(seg, offset + 18, urgentPointer);
        if (options != null) {
            options.write(seg, offset + MIN_HEADER_LENGTH);
        }
        int total = hl + payloadLength;
        int pseudo = Checksum.pseudoHeaderSum(sourceIp, destinationIp, IpProtocol.TCP, total);
        put16(seg, offset + 16, Checksum.finish(Checksum.sum(seg, offset, total, pseudo)));
        return offset + total;
    }
}
