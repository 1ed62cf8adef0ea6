package io.gvproxy.core.nat;

import io.gvproxy.core.stats.Counter;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The flows of one datagram NAT (UDP, ICMP echo) by key: bounded, so that a guest opening flows without end
 * cannot grow memory; when full, a new flow evicts the longest idle one. Counts flows opened and evicted and keeps
 * the gauge of flows active.
 */
final class BoundedFlowTable<K, F extends BoundedFlowTable.Flow<K>> {
    /**
     * One entry: its key, when traffic last passed either way, and its host resource, released exactly once
     * whether the flow idles out, is evicted or the NAT closes.
     */
    abstract static class Flow<K> {
        final K key;
        private final BoundedFlowTable<K, ?> table;
        private final AtomicBoolean closed = new AtomicBoolean();
        volatile long lastActive;

        Flow(BoundedFlowTable<K, ?> table, K key) {
            this.table = table;
            this.key = key;
            this.lastActive = System.nanoTime();
        }

        /** Closes the host resource (waking the flow's reader). */
        abstract void release();

        final void close() {
            if (closed.compareAndSet(false, true)) {
                release();
                table.ended(this);
            }
        }

        final boolean isClosed() {
            return closed.get();
        }
    }

    private final ConcurrentHashMap<K, F> flows = new ConcurrentHashMap<>();
    private final Object admission = new Object();
    private final int maxFlows;
    private final Counter opened;
    private final Counter evicted;
    private final Counter active;

    BoundedFlowTable(int maxFlows, Counter opened, Counter evicted, Counter active) {
        this.maxFlows = maxFlows;
        this.opened = opened;
        this.evicted = evicted;
        this.active = active;
    }

    /** The flow for {@code key}, possibly closed but not yet removed, or null. */
    F get(K key) {
        return flows.get(key);
    }

    /**
     * Adds {@code flow} unless a live flow for its key got in first (two datagrams of a new flow raced): that one
     * is returned and the caller discards its own. Null once {@code flow} is in.
     */
    F admit(F flow) {
        synchronized (admission) {
            F raced = flows.get(flow.key);
            if (raced != null && !raced.isClosed()) {
                return raced;
            }
            if (flows.size() >= maxFlows) {
                evictLongestIdle();
            }
            flows.put(flow.key, flow);
            active.increment();
        }
        opened.increment();
        return null;
    }

    /** Runs under the admission lock, only when the table is full: a scan is fine at that rate. */
    private void evictLongestIdle() {
        F oldest = null;
        for (F f : flows.values()) {
            if (oldest == null || f.lastActive - oldest.lastActive < 0) {
                oldest = f;
            }
        }
        if (oldest != null) {
            evicted.increment();
            flows.remove(oldest.key, oldest);
            oldest.close();
        }
    }

    /** Every admitted flow ends here once, whether it left the table by itself or was evicted. */
    private void ended(Flow<K> flow) {
        flows.remove(flow.key, flow);
        active.add(-1);
    }

    /** Flows open now. */
    int size() {
        return flows.size();
    }

    /** Closes the flows that passed no datagram either way for {@code idleNanos}; how many it closed. */
    int closeIdle(long now, long idleNanos) {
        int n = 0;
        for (F f : flows.values()) {
            if (!f.isClosed() && now - f.lastActive >= idleNanos) {
                f.close();
                n++;
            }
        }
        return n;
    }

    /** Closes every flow. */
    void closeAll() {
        for (F f : flows.values()) {
            f.close();
        }
    }
}
