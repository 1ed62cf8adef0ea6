package io.gvproxy.core.tcpip;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * IPv4 address → MAC of guests, learned from the frames they send, so that connections the stack opens towards
 * a guest reach its MAC. Direct-mapped and fixed in size (a newer address evicts an older one that hashes to the
 * same slot); learning an address already known allocates nothing.
 */
final class NeighborCache {
    private record Entry(int ip, long mac) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;

    NeighborCache(int slotsPowerOfTwo) {
        if (Integer.bitCount(slotsPowerOfTwo) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slotsPowerOfTwo);
        }
        slots = new AtomicReferenceArray<>(slotsPowerOfTwo);
        mask = slotsPowerOfTwo - 1;
    }

    private int slot(int ip) {
        return (ip * 0x9E3779B1 >>> 16) & mask;
    }

    void learn(int ip, long mac) {
        int i = slot(ip);
        Entry e = slots.getPlain(i);
        if (e == null || e.ip != ip || e.mac != mac) {
            slots.set(i, new Entry(ip, mac));
        }
    }

    /** The MAC last seen for {@code ip}, or -1. */
    long lookup(int ip) {
        Entry e = slots.get(slot(ip));
        return e != null && e.ip == ip ? e.mac : -1;
    }
}
