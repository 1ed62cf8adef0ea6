package io.gvproxy.core.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of named counters of one gvproxy instance. Names are dotted paths such as
 * {@code link.qemu.frames_too_large} or {@code gateway.ipv4.bad_checksum}; the API and the logs read them
 * from here. Components look up their counters once, at construction, and keep the {@link Counter}.
 */
public final class Counters {
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    public Counter counter(String name) {
        return counters.computeIfAbsent(name, Counter::new);
    }

    /** Forgets every counter whose name starts with {@code prefix} (a detached port's, say), so that
     *  short-lived peers do not grow the registry without bound. */
    public void removePrefix(String prefix) {
        counters.keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** The current value of a counter; 0 for one never created. */
    public long get(String name) {
        Counter c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    /** A sorted copy of every counter's value. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
