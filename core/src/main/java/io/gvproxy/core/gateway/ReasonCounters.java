package io.gvproxy.core.gateway;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.Malformed;

/**
 * One counter per {@link Malformed} reason under a prefix, such as {@code gateway.ipv4.bad_version}. Created
 * on first use, so the registry lists only reasons that occurred; the cache race is benign because the
 * registry hands every caller the same {@link Counter}.
 */
final class ReasonCounters {
    private final Counters counters;
    private final String prefix;
    private final Counter[] byReason = new Counter[Malformed.values().length];

    ReasonCounters(Counters counters, String prefix) {
        this.counters = counters;
        this.prefix = prefix;
    }

    void increment(Malformed reason) {
        Counter c = byReason[reason.ordinal()];
        if (c == null) {
            c = counters.counter(prefix + reason.counterName());
            byReason[reason.ordinal()] = c;
        }
        c.increment();
    }
}
