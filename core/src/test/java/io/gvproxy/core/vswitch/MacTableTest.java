package io.gvproxy.core.vswitch;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacTableTest {
    private static Map<Long, String> contents(MacTable<String> t) {
        Map<Long, String> out = new HashMap<>();
        t.forEach(out::put);
        return out;
    }

    @RepeatedTest(20)
    void behavesLikeAMapUnderRandomPutsAndPortRemovals(RepetitionInfo rep) {
        long seed = 0x5EED_0000L + rep.getCurrentRepetition();
        Random rnd = new Random(seed);
        int cap = 1 + rnd.nextInt(300);
        MacTable<String> table = new MacTable<>(cap);
        Map<Long, String> model = new HashMap<>();
        String[] ports = {"p0", "p1", "p2", "p3"};
        for (int op = 0; op < 3000; op++) {
            // Few distinct MACs near each other and in the same high bits, to exercise probing.
            long mac = rnd.nextBoolean() ? rnd.nextInt(400) : (rnd.nextLong() & 0xFFFF_FFFF_FFFFL);
            if (rnd.nextInt(50) == 0) {
                String gone = ports[rnd.nextInt(ports.length)];
                long[] removed = table.removePort(gone);
                long[] expected = model.entrySet().stream().filter(e -> e.getValue().equals(gone))
                        .mapToLong(Map.Entry::getKey).sorted().toArray();
                model.values().removeIf(gone::equals);
                Arrays.sort(removed);
                assertArrayEquals(expected, removed, "seed " + seed + " op " + op);
            } else {
                String port = ports[rnd.nextInt(ports.length)];
                String before = model.get(mac);
                MacTable.Put expected = before == null
                        ? (model.size() >= cap ? MacTable.Put.FULL : MacTable.Put.LEARNED)
                        : (before.equals(port) ? MacTable.Put.UNCHANGED : MacTable.Put.MOVED);
                assertEquals(expected, table.put(mac, port), "seed " + seed + " op " + op);
                if (expected != MacTable.Put.FULL) {
                    model.put(mac, port);
                }
            }
            assertEquals(model.get(mac), table.get(mac), "seed " + seed + " op " + op);
            assertEquals(model.size(), table.size(), "seed " + seed + " op " + op);
        }
        assertEquals(model, contents(table), "seed " + seed);
    }

    @Test
    void unknownMacsAndTheBroadcastAddressAreAbsent() {
        MacTable<String> table = new MacTable<>(10);
        assertNull(table.get(0));
        table.put(0, "zero");
        assertEquals("zero", table.get(0));
        assertNull(table.get(0xFFFF_FFFF_FFFFL));
        assertNull(table.get(1));
    }

    @Test
    void readersNeverSeeAWrongPortWhileAWriterGrowsAndRemoves() throws Exception {
        MacTable<String> table = new MacTable<>(5000);
        // Ports are compared by identity, as the switch's port objects are.
        String[] ports = {"p0", "p1", "p2"};
        long stable = 0x0200_0000_0001L;
        table.put(stable, "stable");
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> bad = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            long reads = 0;
            while (done.getCount() > 0 || reads < 1000) {
                String p = table.get(stable);
                if (!"stable".equals(p)) {
                    bad.compareAndSet(null, "stable MAC read as " + p);
                }
                for (long m = 1; m <= 64; m++) {
                    String q = table.get(0x0400_0000_0000L | m);
                    if (q != null && q != ports[(int) (m % 3)]) {
                        bad.compareAndSet(null, "MAC " + m + " read as " + q);
                    }
                }
                reads++;
            }
        });
        for (int round = 0; round < 200; round++) {
            for (long m = 1; m <= 64; m++) {
                table.put(0x0400_0000_0000L | m, ports[(int) (m % 3)]);
            }
            for (int i = 0; i < 3; i++) {
                table.removePort(ports[i]);
            }
        }
        done.countDown();
        reader.join(10_000);
        assertTrue(!reader.isAlive(), "reader did not finish");
        assertNull(bad.get());
        assertEquals(1, table.size());
    }
}
