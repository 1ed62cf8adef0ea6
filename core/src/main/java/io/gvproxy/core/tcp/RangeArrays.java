package io.gvproxy.core.tcp;

import java.util.Arrays;

/** Growth of the per-connection range tables, which start empty: in-order, loss-free connections need none. */
final class RangeArrays {
    static final long[] NONE = new long[0];
    private static final int FIRST = 4;

    private RangeArrays() {
    }

    /** {@code a} doubled (at least {@value #FIRST} entries, at most {@code bound}), contents kept. */
    static long[] grow(long[] a, int bound) {
        return Arrays.copyOf(a, Math.min(bound, Math.max(FIRST, 2 * a.length)));
    }
}
