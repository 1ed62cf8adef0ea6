package io.gvproxy.core.link;

import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random, truncated and mutated streams: {@link StreamLink#receive} must end in frames, counted drops, end of
 * stream or an IOException, never another exception, and an intact stream must come back frame for frame.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamLinkFuzzTest {
    private static final int STREAMS_PER_SEED = 1000;
    private static final FramePool[] POOLS = {
        new FramePool(64, 2), FramePool.forMtu(1500), FramePool.forMtu(9000), new FramePool(StreamFraming.MAX_RECEIVE_LENGTH, 2),
    };

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void randomStreams(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < STREAMS_PER_SEED; i++) {
            long streamSeed = r.nextLong();
            try {
                runOne(streamSeed);
            } catch (AssertionError | RuntimeException e) {
                fail("stream seed " + streamSeed + " (block seed " + seed + ", stream " + i + "): " + e, e);
            }
        }
    }

    private static void runOne(long streamSeed) {
        Random r = new Random(streamSeed);
        StreamFraming framing = r.nextBoolean() ? StreamFraming.QEMU : StreamFraming.HYPERKIT;
        FramePool pool = POOLS[r.nextInt(POOLS.length)];
        List<byte[]> frames = new ArrayList<>();
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        int count = r.nextInt(12);
        for (int k = 0; k < count; k++) {
            int len = r.nextInt(20) == 0 ? r.nextInt(framing.maxSendLength() + 1) : r.nextInt(1600);
            byte[] f = new byte[len];
            r.nextBytes(f);
            frames.add(f);
            Frames.append(s, framing, f);
        }
        byte[] stream = s.toByteArray();
        int mutation = r.nextInt(5);
        switch (mutation) {
            case 0 -> { } // intact
            case 1 -> stream = Arrays.copyOf(stream, stream.length == 0 ? 0 : r.nextInt(stream.length));
            case 2 -> {
                for (int k = 0, n = 1 + r.nextInt(8); k < n && stream.length > 0; k++) {
                    stream[r.nextInt(stream.length)] = (byte) r.nextInt(256);
                }
            }
            case 3 -> {
                stream = new byte[r.nextInt(4096)];
                r.nextBytes(stream);
            }
            default -> {
                byte[] garbage = new byte[1 + r.nextInt(64)];
                r.nextBytes(garbage);
                int at = stream.length == 0 ? 0 : r.nextInt(stream.length);
                byte[] out = new byte[stream.length + garbage.length];
                System.arraycopy(stream, 0, out, 0, at);
                System.arraycopy(garbage, 0, out, at, garbage.length);
                System.arraycopy(stream, at, out, at + garbage.length, stream.length - at);
                stream = out;
            }
        }
        // Tiny reads only for small streams: byte-at-a-time over a 128 KiB frame costs seconds and finds nothing new.
        int maxChunk = 1 + r.nextInt(r.nextBoolean() && stream.length < 20_000 ? 16 : 1 << 18);
        ScriptedChannel ch = new ScriptedChannel(stream, () -> 1 + r.nextInt(maxChunk), Integer.MAX_VALUE);
        Counters counters = new Counters();
        StreamLink link = new StreamLink("f", ch, ch, framing, counters);
        Frame into = pool.acquire();
        List<byte[]> got = new ArrayList<>();
        boolean ended = false;
        try {
            // Each frame returned consumes at least 14 bytes, so this bound is never the reason to stop.
            for (int calls = 0; calls <= stream.length / 14 + 2; calls++) {
                if (!link.receive(into)) {
                    ended = true;
                    break;
                }
                got.add(into.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            assertTrue(ended, "receive never reported end of stream");
        } catch (IOException e) {
            assertEquals(1, counters.get("link.f.length_invalid"), "an IOException must come from a bad length: " + e);
        } finally {
            into.release();
        }
        long bytesIn = counters.get("link.f.bytes_in");
        assertEquals(got.size(), counters.get("link.f.frames_in"));
        assertEquals(got.stream().mapToLong(b -> b.length).sum(), bytesIn);
        assertTrue(bytesIn + (long) framing.headerSize() * got.size() <= stream.length, "more bytes out than in");
        if (mutation == 0) {
            List<byte[]> expected = frames.stream()
                    .filter(f -> f.length >= StreamLink.MIN_FRAME && f.length <= into.capacity()).toList();
            assertEquals(expected.size(), got.size());
            for (int k = 0; k < got.size(); k++) {
                assertArrayEquals(expected.get(k), got.get(k), "frame " + k);
            }
            long small = frames.stream().filter(f -> f.length < StreamLink.MIN_FRAME).count();
            long large = frames.stream().filter(f -> f.length >= StreamLink.MIN_FRAME && f.length > into.capacity()).count();
            assertEquals(small, counters.get("link.f.frames_too_small"));
            assertEquals(large, counters.get("link.f.frames_too_large"));
            assertEquals(0, counters.get("link.f.truncated_at_eof"));
        }
    }
}
