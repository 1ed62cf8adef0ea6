package io.gvproxy.core.stats;

import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count, cheap to increment from many threads. */
public final class Counter {
    private final String name;
    private final LongAdder value = new LongAdder();

    Counter(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void increment() {
        value.increment();
    }

    public void add(long n) {
        value.add(n);
    }

    public long get() {
        return value.sum();
    }

    @Override
    public String toString() {
        return name + "=" + get();
    }
}
