package io.gvproxy.core.vswitch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The switch's CAM: MAC (as its 48-bit long) to port, an open-addressing table with linear probing.
 *
 * <p>Why this shape: every frame does two lookups (source to learn, destination to forward) while writes
 * happen only when a MAC is new or moves or a port leaves. Lookups are therefore lock-free and allocate
 * nothing (no boxed {@code Long} as a {@code ConcurrentHashMap<Long, ...>} would need): a reader takes the
 * current table from a volatile field and probes it with acquire reads. Writers are serialised by the caller's
 * lock. A new entry is published by writing its port before its key (release), so a reader that sees the
 * key sees the port; a moved MAC is a single reference store, so a reader sees either the old or the new
 * port, both of which were valid at some instant. Growing and removing never touch a table readers may
 * hold: they build a new table and publish it (copy-on-write), which is rare (doubling, port removal).
 *
 * <p>The number of entries is capped so that a guest spraying random source MACs cannot grow memory
 * without bound; past the cap new MACs are simply not learned (their traffic floods).
 */
final class MacTable<P> {
    /** Upon the cap, {@link #put} reports {@link Put#FULL}. */
    enum Put { LEARNED, MOVED, UNCHANGED, FULL }

    /** No 48-bit MAC equals -1, so it marks a free slot. */
    private static final long FREE = -1L;
    private static final int INITIAL_SLOTS = 64;
    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle PORTS = MethodHandles.arrayElementVarHandle(Object[].class);

    private static final class Table {
        final long[] keys;
        final Object[] ports;
        final int mask;
        final int shift;

        Table(int slots) {
            keys = new long[slots];
            Arrays.fill(keys, FREE);
            ports = new Object[slots];
            mask = slots - 1;
            shift = 64 - Integer.numberOfTrailingZeros(slots);
        }

        int home(long mac) {
            return (int) ((mac * 0x9E37_79B9_7F4A_7C15L) >>> shift);
        }
    }

    private final int maxEntries;
    private volatile Table table = new Table(INITIAL_SLOTS);
    private int size;

    MacTable(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("CAM capacity must be positive: " + maxEntries);
        }
        this.maxEntries = maxEntries;
    }

    /** The port that last sent from {@code mac}, or null. Lock-free; any thread. */
    @SuppressWarnings("unchecked")
    P get(long mac) {
        Table t = table;
        long[] keys = t.keys;
        // Load stays at or under one half, so a free slot always ends the probe.
        for (int i = t.home(mac); ; i = (i + 1) & t.mask) {
            long k = (long) KEYS.getAcquire(keys, i);
            if (k == mac) {
                return (P) PORTS.getAcquire(t.ports, i);
            }
            if (k == FREE) {
                return null;
            }
        }
    }

    /** Sets mac → port. Caller holds the writers' lock. */
    Put put(long mac, P port) {
        Table t = table;
        int i = slotOf(t, mac);
        if (t.keys[i] == mac) {
            if (t.ports[i] == port) {
                return Put.UNCHANGED;
            }
            PORTS.setRelease(t.ports, i, port);
            return Put.MOVED;
        }
        if (size >= maxEntries) {
            return Put.FULL;
        }
        if ((size + 1) * 2 > t.keys.length) {
            t = copyInto(new Table(t.keys.length * 2), t, null);
            table = t;
            i = slotOf(t, mac);
        }
        PORTS.setRelease(t.ports, i, port);
        KEYS.setRelease(t.keys, i, mac);
        size++;
        return Put.LEARNED;
    }

    /** Removes every entry of {@code port} and returns their MACs. Caller holds the writers' lock. */
    long[] removePort(P port) {
        Table t = table;
        int n = 0;
        long[] gone = new long[size];
        for (int i = 0; i < t.keys.length; i++) {
            if (t.keys[i] != FREE && t.ports[i] == port) {
                gone[n++] = t.keys[i];
            }
        }
        if (n > 0) {
            table = copyInto(new Table(t.keys.length), t, port);
            size -= n;
        }
        return Arrays.copyOf(gone, n);
    }

    int size() {
        return size;
    }

    /** Calls {@code visitor} for each entry. Caller holds the writers' lock. */
    @SuppressWarnings("unchecked")
    void forEach(EntryVisitor<P> visitor) {
        Table t = table;
        for (int i = 0; i < t.keys.length; i++) {
            if (t.keys[i] != FREE) {
                visitor.visit(t.keys[i], (P) t.ports[i]);
            }
        }
    }

    @FunctionalInterface
    interface EntryVisitor<P> {
        void visit(long mac, P port);
    }

    private static int slotOf(Table t, long mac) {
        int i = t.home(mac);
        while (t.keys[i] != FREE && t.keys[i] != mac) {
            i = (i + 1) & t.mask;
        }
        return i;
    }

    private static Table copyInto(Table to, Table from, Object skip) {
        for (int i = 0; i < from.keys.length; i++) {
            long k = from.keys[i];
            if (k != FREE && from.ports[i] != skip) {
                int j = slotOf(to, k);
                to.keys[j] = k;
                to.ports[j] = from.ports[i];
            }
        }
        return to;
    }
}
