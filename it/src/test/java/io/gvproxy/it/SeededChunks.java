package io.gvproxy.it;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A reproducible byte stream cut into 64 KiB chunks, produced on both ends of a transfer test (in the test JVM
 * and in a process inside a namespace) so that the receiver's SHA-256 can be checked against the sender's.
 */
final class SeededChunks {
    static final int CHUNK = 64 << 10;

    private SeededChunks() {
    }

    /** Fills {@code into} (CHUNK bytes) with chunk {@code index} of the stream for {@code seed} (SplitMix64). */
    static void chunk(long seed, long index, byte[] into) {
        long state = seed ^ (index * 0xD1B5_4A32_D192_ED03L);
        for (int i = 0; i < CHUNK; i += 8) {
            state += 0x9E37_79B9_7F4A_7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
            z ^= z >>> 31;
            for (int b = 0; b < 8; b++) {
                into[i + b] = (byte) (z >>> (8 * b));
            }
        }
    }

    /** The SHA-256 of the first {@code bytes} (a multiple of CHUNK) of the stream, hex. */
    static String sha256(long seed, long bytes) {
        MessageDigest md = sha256();
        byte[] buf = new byte[CHUNK];
        for (long i = 0; i < bytes / CHUNK; i++) {
            chunk(seed, i, buf);
            md.update(buf);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Writes the first {@code bytes} (a multiple of CHUNK) of the stream for {@code seed} to {@code out}. */
    static void write(OutputStream out, long seed, long bytes) throws IOException {
        byte[] buf = new byte[CHUNK];
        for (long i = 0; i < bytes / CHUNK; i++) {
            chunk(seed, i, buf);
            out.write(buf);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long checkedLength(long bytes) {
        if (bytes <= 0 || bytes % CHUNK != 0) {
            throw new IllegalArgumentException("length must be a positive multiple of " + CHUNK + ": " + bytes);
        }
        return bytes;
    }
}
