package io.gvproxy.core.link;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

/**
 * The counters every link keeps, looked up once so the per-frame path only increments. Names are
 * {@code <prefix>.frames_in}, {@code <prefix>.bytes_in}, {@code <prefix>.frames_out}, {@code <prefix>.bytes_out};
 * {@link #drop(String)} adds one counter per drop reason.
 */
public final class LinkCounters {
    private final Counters counters;
    private final String prefix;
    final Counter framesIn;
    final Counter bytesIn;
    final Counter framesOut;
    final Counter bytesOut;

    public LinkCounters(Counters counters, String prefix) {
        this.counters = counters;
        this.prefix = prefix;
        this.framesIn = counters.counter(prefix + ".frames_in");
        this.bytesIn = counters.counter(prefix + ".bytes_in");
        this.framesOut = counters.counter(prefix + ".frames_out");
        this.bytesOut = counters.counter(prefix + ".bytes_out");
    }

    /** The counter of one drop reason, such as {@code frames_too_small}. */
    public Counter drop(String reason) {
        return counters.counter(prefix + "." + reason);
    }

    public String prefix() {
        return prefix;
    }

    void received(int length) {
        framesIn.increment();
        bytesIn.add(length);
    }

    void sent(int length) {
        framesOut.increment();
        bytesOut.add(length);
    }
}
