package io.gvproxy.core.tcpip;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FlowTableTest {
    /** Random puts, replaces and removes over a small key space (many collisions) agree with a HashMap. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void agreesWithAHashMap(long seed) {
        Random r = new Random(seed);
        int max = 1 + r.nextInt(64);
        FlowTable<Object> table = new FlowTable<>(max);
        Map<List<Long>, Object> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            long a = FlowTable.addresses(r.nextInt(4), r.nextInt(4));
            int p = FlowTable.ports(r.nextInt(3), 1000 + r.nextInt(8));
            List<Long> key = List.of(a, (long) p);
            String where = "seed " + seed + " step " + step;
            switch (r.nextInt(4)) {
                case 0 -> {
                    Object v = new Object();
                    boolean expected = !model.containsKey(key) && model.size() < max;
                    assertEquals(expected, table.putIfAbsent(a, p, v), where);
                    if (expected) {
                        model.put(key, v);
                    }
                }
                case 1 -> {
                    Object old = model.get(key);
                    Object v = new Object();
                    assertEquals(old != null, table.replace(a, p, old, v), where);
                    if (old != null) {
                        model.put(key, v);
                    }
                }
                case 2 -> {
                    Object old = model.get(key);
                    boolean wrong = r.nextBoolean();
                    boolean removed = table.remove(a, p, wrong ? new Object() : old);
                    assertEquals(!wrong && old != null, removed, where);
                    if (removed) {
                        model.remove(key);
                    }
                }
                default -> assertEquals(model.get(key), table.get(a, p), where);
            }
            assertEquals(model.size(), table.size(), where);
        }
        for (Map.Entry<List<Long>, Object> e : model.entrySet()) {
            assertEquals(e.getValue(), table.get(e.getKey().get(0), (int) (long) e.getKey().get(1)));
        }
    }
}
