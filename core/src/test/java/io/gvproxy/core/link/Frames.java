package io.gvproxy.core.link;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** Builders of test frames and framed byte streams. */
final class Frames {
    private Frames() {
    }

    /** A frame of {@code length} bytes whose content depends on {@code tag}, so frames are told apart. */
    static byte[] frame(int length, int tag) {
        byte[] b = new byte[length];
        Random r = new Random(tag * 31L + length);
        r.nextBytes(b);
        return b;
    }

    static MemorySegment segment(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    /** Appends one frame with the framing's prefix announcing {@code announced} bytes. */
    static void append(ByteArrayOutputStream out, StreamFraming framing, int announced, byte[] body) {
        if (framing == StreamFraming.QEMU) {
            out.write(announced >>> 24);
            out.write(announced >>> 16);
            out.write(announced >>> 8);
            out.write(announced);
        } else {
            out.write(announced);
            out.write(announced >>> 8);
        }
        out.write(body, 0, body.length);
    }

    static void append(ByteArrayOutputStream out, StreamFraming framing, byte[] body) {
        append(out, framing, body.length, body);
    }
}
