package io.gvproxy.core.wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded robustness driver shared by the format tests: feeds truncated, random and mutated inputs at random
 * offsets into a view and demands that each ends in a valid parse (whose accessors then all work) or a
 * {@link Malformed} reason, never an exception.
 */
final class WireFuzz {
    static final int ITERATIONS = 10_000;
    private static final int BUFFER = 4096;

    private WireFuzz() {
    }

    /** Result tallies, so a test can check that both outcomes were exercised. */
    record Tally(int valid, int malformed) {
    }

    static <V extends WireView> Tally run(long seed, List<byte[]> samples, V view, Consumer<V> readAll) {
        Random rnd = new Random(seed);
        int valid = 0;
        int malformed = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER);
            for (int i = 0; i < ITERATIONS; i++) {
                byte[] input = generate(rnd, samples);
                long off = rnd.nextInt(64);
                for (long b = 0; b < BUFFER; b++) {
                    buf.set(ValueLayout.JAVA_BYTE, b, (byte) 0xA5);
                }
                MemorySegment.copy(input, 0, buf, ValueLayout.JAVA_BYTE, off, input.length);
                long len = input.length;
                if (rnd.nextInt(50) == 0) {
                    off = rnd.nextInt(3) - 1 + (rnd.nextBoolean() ? 0 : BUFFER);
                    len = rnd.nextInt(BUFFER + 2);
                }
                // Half the time the segment ends where the input does, so any read past the window throws.
                MemorySegment target = rnd.nextBoolean() && off >= 0 && off + len <= BUFFER ? buf.asSlice(0, off + len) : buf;
                try {
                    Malformed m = view.wrap(target, off, len);
                    if (m == null) {
                        valid++;
                        assertTrue(view.offset() == off && view.length() == len, "view window");
                        readAll.accept(view);
                    } else {
                        malformed++;
                    }
                } catch (Throwable t) {
                    fail("seed=" + seed + " iteration=" + i + " offset=" + off + " length=" + len
                            + " input=" + HexFormat.of().formatHex(input), t);
                }
            }
        }
        assertEquals(ITERATIONS, valid + malformed);
        assertTrue(valid > 0 && malformed > 0, "seed=" + seed + " exercised only one outcome: " + valid + "/" + malformed);
        return new Tally(valid, malformed);
    }

    private static byte[] generate(Random rnd, List<byte[]> samples) {
        byte[] sample = samples.get(rnd.nextInt(samples.size()));
        switch (rnd.nextInt(5)) {
            case 0 -> {
                byte[] out = new byte[rnd.nextInt(sample.length + 1)];
                System.arraycopy(sample, 0, out, 0, out.length);
                return out;
            }
            case 1 -> {
                byte[] out = new byte[rnd.nextInt(200)];
                rnd.nextBytes(out);
                return out;
            }
            case 2 -> {
                byte[] out = sample.clone();
                int edits = 1 + rnd.nextInt(4);
                for (int e = 0; e < edits && out.length > 0; e++) {
                    int at = rnd.nextInt(Math.min(out.length, 64));
                    out[at] = switch (rnd.nextInt(4)) {
                        case 0 -> (byte) rnd.nextInt(256);
                        case 1 -> (byte) (out[at] ^ (1 << rnd.nextInt(8)));
                        case 2 -> 0;
                        default -> (byte) 0xFF;
                    };
                }
                return out;
            }
            case 3 -> {
                byte[] out = new byte[sample.length + rnd.nextInt(100)];
                System.arraycopy(sample, 0, out, 0, sample.length);
                for (int b = sample.length; b < out.length; b++) {
                    out[b] = (byte) rnd.nextInt(256);
                }
                return out;
            }
            default -> {
                return sample.clone();
            }
        }
    }

    static MemorySegment segment(byte[] bytes) {
        return MemorySegment.ofArray(bytes.clone());
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }
}
