package io.gvproxy.ffm;

import io.gvproxy.core.wire.Checksum;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Builds Ethernet + IPv4 + TCP/UDP frames with valid checksums for the offload tests. */
final class SuperFrames {
    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int SRC = 0xC0A87F02;
    static final int DST = 0x7F000001;

    private SuperFrames() {
    }

    /** A TCP/IPv4 frame with {@code optionBytes} of NOP options, the given flags and payload, checksums valid. */
    static MemorySegment tcp(byte[] payload, int optionBytes, int flags, int seq, int id) {
        int tcpLen = 20 + optionBytes;
        int total = 20 + tcpLen + payload.length;
        MemorySegment f = Arena.ofAuto().allocate(14 + total);
        f.set(BE16, 12, (short) 0x0800);
        f.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x45);
        f.set(BE16, 16, (short) total);
        f.set(BE16, 18, (short) id);
        f.set(BE16, 20, (short) 0x4000);
        f.set(ValueLayout.JAVA_BYTE, 22, (byte) 64);
        f.set(ValueLayout.JAVA_BYTE, 23, (byte) 6);
        f.set(BE32, 26, SRC);
        f.set(BE32, 30, DST);
        f.set(BE16, 24, (short) Checksum.checksum(f, 14, 20));
        int t = 34;
        f.set(BE16, t, (short) 40000);
        f.set(BE16, t + 2, (short) 5201);
        f.set(BE32, t + 4, seq);
        f.set(BE32, t + 8, 12345);
        f.set(ValueLayout.JAVA_BYTE, t + 12, (byte) ((tcpLen / 4) << 4));
        f.set(ValueLayout.JAVA_BYTE, t + 13, (byte) flags);
        f.set(BE16, t + 14, (short) 512);
        for (int i = 0; i < optionBytes; i++) {
            f.set(ValueLayout.JAVA_BYTE, t + 20 + i, (byte) 1);
        }
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, f, t + tcpLen, payload.length);
        f.set(BE16, t + 16, (short) transportChecksum(f, t, tcpLen + payload.length, 6));
        return f;
    }

    /** A UDP/IPv4 frame with a valid checksum. */
    static MemorySegment udp(byte[] payload) {
        int total = 28 + payload.length;
        MemorySegment f = Arena.ofAuto().allocate(14 + total);
        f.set(BE16, 12, (short) 0x0800);
        f.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x45);
        f.set(BE16, 16, (short) total);
        f.set(ValueLayout.JAVA_BYTE, 22, (byte) 64);
        f.set(ValueLayout.JAVA_BYTE, 23, (byte) 17);
        f.set(BE32, 26, SRC);
        f.set(BE32, 30, DST);
        f.set(BE16, 24, (short) Checksum.checksum(f, 14, 20));
        f.set(BE16, 34, (short) 5353);
        f.set(BE16, 36, (short) 53);
        f.set(BE16, 38, (short) (8 + payload.length));
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, f, 42, payload.length);
        int c = transportChecksum(f, 34, 8 + payload.length, 17);
        f.set(BE16, 40, (short) (c == 0 ? 0xFFFF : c));
        return f;
    }

    static int transportChecksum(MemorySegment f, int at, int length, int protocol) {
        int src = f.get(BE32, 26);
        int dst = f.get(BE32, 30);
        return Checksum.finish(Checksum.sum(f, at, length, Checksum.pseudoHeaderSum(src, dst, protocol, length)));
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
