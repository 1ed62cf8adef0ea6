package io.gvproxy.core.tcpip;

/**
 * Flows by 4-tuple in open addressing with linear probing: a lookup per segment hashes two primitives and
 * allocates nothing. Capacity is fixed at construction (twice the entry bound, a power of two), so the table
 * never grows. Not thread-safe: {@link TcpStack} guards it.
 *
 * @param <V> what a flow maps to
 */
final class FlowTable<V> {
    private final long[] addresses;
    private final int[] ports;
    private final Object[] values;
    private final int mask;
    private final int maxEntries;
    private int size;

    FlowTable(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        int capacity = Integer.highestOneBit(Math.max(2, maxEntries) * 2 - 1) << 1;
        this.addresses = new long[capacity];
        this.ports = new int[capacity];
        this.values = new Object[capacity];
        this.mask = capacity - 1;
        this.maxEntries = maxEntries;
    }

    static long addresses(int localIp, int remoteIp) {
        return ((long) localIp << 32) | (remoteIp & 0xFFFF_FFFFL);
    }

    static int ports(int localPort, int remotePort) {
        return ((localPort & 0xFFFF) << 16) | (remotePort & 0xFFFF);
    }

    private int slot(long a, int p) {
        long h = (a ^ (a >>> 29) ^ ((long) p * 0x9E37_79B9_7F4A_7C15L)) * 0xBF58_476D_1CE4_E5B9L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    @SuppressWarnings("unchecked")
    V get(long a, int p) {
        for (int i = slot(a, p); values[i] != null; i = (i + 1) & mask) {
            if (addresses[i] == a && ports[i] == p) {
                return (V) values[i];
            }
        }
        return null;
    }

    /** Adds a new key; false (and no change) when the key exists or the entry bound is reached. */
    boolean putIfAbsent(long a, int p, V value) {
        int i = slot(a, p);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (addresses[i] == a && ports[i] == p) {
                return false;
            }
        }
        if (size >= maxEntries) {
            return false;
        }
        addresses[i] = a;
        ports[i] = p;
        values[i] = value;
        size++;
        return true;
    }

    /** Replaces the value of a key only while it maps to {@code expected}. */
    boolean replace(long a, int p, V expected, V value) {
        for (int i = slot(a, p); values[i] != null; i = (i + 1) & mask) {
            if (addresses[i] == a && ports[i] == p) {
                if (values[i] != expected) {
                    return false;
                }
                values[i] = value;
                return true;
            }
        }
        return false;
    }

    /** Removes the key only while it still maps to {@code expected}; returns whether it did. */
    boolean remove(long a, int p, V expected) {
        int i = slot(a, p);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (addresses[i] == a && ports[i] == p) {
                if (values[i] != expected) {
                    return false;
                }
                deleteAt(i);
                return true;
            }
        }
        return false;
    }

    /** Backward-shift deletion keeps every probe chain unbroken without tombstones. */
    private void deleteAt(int hole) {
        values[hole] = null;
        size--;
        int i = (hole + 1) & mask;
        while (values[i] != null) {
            int home = slot(addresses[i], ports[i]);
            // move entry i into the hole unless its home lies cyclically in (hole, i]
            boolean stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
            if (!stays) {
                addresses[hole] = addresses[i];
                ports[hole] = ports[i];
                values[hole] = values[i];
                values[i] = null;
                hole = i;
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    /** Every value, for shutdown. */
    @SuppressWarnings("unchecked")
    java.util.List<V> values() {
        java.util.List<V> out = new java.util.ArrayList<>(size);
        for (Object v : values) {
            if (v != null) {
                out.add((V) v);
            }
        }
        return out;
    }
}
