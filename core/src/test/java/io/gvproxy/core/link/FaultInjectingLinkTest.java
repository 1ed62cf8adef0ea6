package io.gvproxy.core.link;

import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import io.gvproxy.core.link.FaultInjectingLink.Faults;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultInjectingLinkTest {
    private static final Faults MIXED = new Faults(0.1, 0.1, 0.1, 0.1);

    private static RecordingLink run(Faults faults, long seed, int frames, Counters counters) throws IOException {
        RecordingLink out = new RecordingLink();
        FaultInjectingLink link = new FaultInjectingLink(out, faults, seed, counters, "fault");
        for (int i = 0; i < frames; i++) {
            link.send(Frames.segment(Frames.frame(60 + i % 1400, i)));
        }
        link.flush();
        return out;
    }

    private static void assertSameOutput(List<byte[]> a, List<byte[]> b, String why) {
        assertEquals(a.size(), b.size(), why);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), why + ", frame " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 42, -7, 123456789})
    void sameSeedSameOutput(long seed) throws IOException {
        Counters c1 = new Counters();
        Counters c2 = new Counters();
        RecordingLink a = run(MIXED, seed, 2000, c1);
        RecordingLink b = run(MIXED, seed, 2000, c2);
        assertSameOutput(a.sent, b.sent, "seed " + seed);
        assertEquals(c1.snapshot(), c2.snapshot(), "seed " + seed);
        // Every fault happened, and the accounting adds up: sent = offered - dropped + duplicated.
        for (String k : new String[] {"dropped", "duplicated", "reordered", "corrupted"}) {
            assertTrue(c1.get("fault." + k) > 100, "seed " + seed + ": " + k + "=" + c1.get("fault." + k));
        }
        assertEquals(2000 - c1.get("fault.dropped") + c1.get("fault.duplicated"), a.sent.size(), "seed " + seed);
    }

    @Test
    void differentSeedsDiffer() throws IOException {
        RecordingLink a = run(MIXED, 1, 500, new Counters());
        RecordingLink b = run(MIXED, 2, 500, new Counters());
        boolean differ = a.sent.size() != b.sent.size();
        for (int i = 0; !differ && i < a.sent.size(); i++) {
            differ = !java.util.Arrays.equals(a.sent.get(i), b.sent.get(i));
        }
        assertTrue(differ);
    }

    @Test
    void noFaultsPassesEverythingInOrder() throws IOException {
        RecordingLink out = run(Faults.NONE, 5, 100, new Counters());
        assertEquals(100, out.sent.size());
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(Frames.frame(60 + i, i), out.sent.get(i));
        }
    }

    @Test
    void dropAll() throws IOException {
        Counters c = new Counters();
        assertEquals(0, run(new Faults(1, 0, 0, 0), 5, 100, c).sent.size());
        assertEquals(100, c.get("fault.dropped"));
    }

    @Test
    void duplicateAll() throws IOException {
        RecordingLink out = run(new Faults(0, 1, 0, 0), 5, 10, new Counters());
        assertEquals(20, out.sent.size());
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(Frames.frame(60 + i, i), out.sent.get(2 * i));
            assertArrayEquals(Frames.frame(60 + i, i), out.sent.get(2 * i + 1));
        }
    }

    @Test
    void reorderAllSwapsPairs() throws IOException {
        Counters c = new Counters();
        RecordingLink out = run(new Faults(0, 0, 1, 0), 5, 6, c);
        int[] expected = {1, 0, 3, 2, 5, 4};
        assertEquals(6, out.sent.size());
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(Frames.frame(60 + expected[i], expected[i]), out.sent.get(i), "position " + i);
        }
        assertEquals(3, c.get("fault.reordered"));
    }

    @Test
    void heldFrameIsLostAtCloseAndSentByFlush() throws IOException {
        RecordingLink out = new RecordingLink();
        FaultInjectingLink link = new FaultInjectingLink(out, new Faults(0, 0, 1, 0), 1, new Counters(), "fault");
        link.send(Frames.segment(Frames.frame(60, 0)));
        assertEquals(0, out.sent.size());
        link.flush();
        assertEquals(1, out.sent.size());
        link.send(Frames.segment(Frames.frame(60, 1)));
        link.close();
        assertEquals(1, out.sent.size());
        assertTrue(out.closed);
    }

    @Test
    void corruptFlipsExactlyOneBitOfACopy() throws IOException {
        RecordingLink out = new RecordingLink();
        FaultInjectingLink link = new FaultInjectingLink(out, new Faults(0, 0, 0, 1), 9, new Counters(), "fault");
        for (int i = 0; i < 200; i++) {
            byte[] original = Frames.frame(14 + i, i);
            byte[] passed = original.clone();
            link.send(Frames.segment(passed));
            assertArrayEquals(original, passed, "the caller's frame is not modified");
            byte[] got = out.sent.get(i);
            assertEquals(original.length, got.length);
            int bits = 0;
            for (int k = 0; k < got.length; k++) {
                bits += Integer.bitCount((got[k] ^ original[k]) & 0xFF);
            }
            assertEquals(1, bits, "frame " + i);
        }
        assertEquals(200, link.corrupted());
    }

    @Test
    void receivePassesThrough() throws IOException {
        io.gvproxy.core.buffer.FramePool pool = io.gvproxy.core.buffer.FramePool.forMtu(1500);
        MemoryLink[] pair = MemoryLink.pair(4, pool);
        FaultInjectingLink link = new FaultInjectingLink(pair[0], new Faults(1, 0, 0, 0), 1, new Counters(), "fault");
        pair[1].send(Frames.segment(Frames.frame(60, 1)));
        io.gvproxy.core.buffer.Frame into = pool.acquire();
        assertTrue(link.receive(into));
        assertArrayEquals(Frames.frame(60, 1), into.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        link.send(Frames.segment(Frames.frame(60, 2)));
        assertEquals(0, pair[1].queued());
        assertEquals("memory-a", link.name());
        link.close();
        assertFalse(link.receive(into));
        into.release();
    }

    @Test
    void probabilitiesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Faults(1.5, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Faults(0, Double.NaN, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Faults(0, 0, -0.1, 0));
        assertNotEquals(Faults.NONE, MIXED);
    }
}
