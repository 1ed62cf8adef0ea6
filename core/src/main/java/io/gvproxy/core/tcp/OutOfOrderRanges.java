package io.gvproxy.core.tcp;

/**
 * The disjoint, non-adjacent byte ranges received beyond RCV.NXT, sorted by start, bounded in number. Each range
 * remembers when it last grew, so SACK blocks can be reported most recent first (RFC 2018 section 4).
 */
final class OutOfOrderRanges {
    private final int maxRanges;
    private long[] start = RangeArrays.NONE;
    private long[] end = RangeArrays.NONE;
    private long[] touched = RangeArrays.NONE;
    private int count;
    private long clock;

    OutOfOrderRanges(int maxRanges) {
        this.maxRanges = maxRanges;
    }

    /** Room for one more range, or false at the bound. */
    private boolean roomForOne() {
        if (count < start.length) {
            return true;
        }
        if (count >= maxRanges) {
            return false;
        }
        start = RangeArrays.grow(start, maxRanges);
        end = RangeArrays.grow(end, maxRanges);
        touched = RangeArrays.grow(touched, maxRanges);
        return true;
    }

    int count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Records [s, e); false (and nothing recorded) when it would need a range beyond the bound. */
    boolean add(long s, long e) {
        int i = 0;
        while (i < count && end[i] < s) {
            i++;
        }
        int j = i;
        while (j < count && start[j] <= e) {
            j++;
        }
        // ranges i..j-1 overlap or touch [s, e)
        if (i == j) {
            if (!roomForOne()) {
                return false;
            }
            System.arraycopy(start, i, start, i + 1, count - i);
            System.arraycopy(end, i, end, i + 1, count - i);
            System.arraycopy(touched, i, touched, i + 1, count - i);
            start[i] = s;
            end[i] = e;
            count++;
        } else {
            start[i] = Math.min(s, start[i]);
            end[i] = Math.max(e, end[j - 1]);
            int removed = j - i - 1;
            if (removed > 0) {
                System.arraycopy(start, j, start, i + 1, count - j);
                System.arraycopy(end, j, end, i + 1, count - j);
                System.arraycopy(touched, j, touched, i + 1, count - j);
                count -= removed;
            }
        }
        touched[i] = ++clock;
        return true;
    }

    /** Removes the range reachable from {@code next} (if any) and returns the new in-order end. */
    long advance(long next) {
        int k = 0;
        while (k < count && start[k] <= next) {
            next = Math.max(end[k], next);
            k++;
        }
        if (k > 0) {
            System.arraycopy(start, k, start, 0, count - k);
            System.arraycopy(end, k, end, 0, count - k);
            System.arraycopy(touched, k, touched, 0, count - k);
            count -= k;
        }
        return next;
    }

    long start(int i) {
        return start[i];
    }

    long end(int i) {
        return end[i];
    }

    /** Index of the k-th most recently grown range (k from 0). */
    int byRecency(int k) {
        // counts are small (bounded, usually a handful), so a selection per call beats keeping a second order
        long bound = Long.MAX_VALUE;
        int pick = -1;
        for (int round = 0; round <= k; round++) {
            long best = -1;
            pick = -1;
            for (int i = 0; i < count; i++) {
                if (touched[i] < bound && touched[i] > best) {
                    best = touched[i];
                    pick = i;
                }
            }
            if (pick < 0) {
                return -1;
            }
            bound = best;
        }
        return pick;
    }

    void clear() {
        count = 0;
    }
}
