package io.gvproxy.core.tcp;

/**
 * The sender's record of SACKed sequence ranges above SND.UNA (RFC 6675 section 3), as sorted disjoint ranges
 * of engine positions. Bounded: blocks that would need more ranges are ignored, which only makes the sender
 * more conservative.
 */
final class SackScoreboard {
    static final int DUP_THRESH = 3;
    private static final int MAX_RANGES = 64;
    private long[] start = RangeArrays.NONE;
    private long[] end = RangeArrays.NONE;
    private int count;

    /** Room for one more range, or false at the bound. */
    private boolean roomForOne() {
        if (count < start.length) {
            return true;
        }
        if (count >= MAX_RANGES) {
            return false;
        }
        start = RangeArrays.grow(start, MAX_RANGES);
        end = RangeArrays.grow(end, MAX_RANGES);
        return true;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int count() {
        return count;
    }

    long start(int i) {
        return start[i];
    }

    long end(int i) {
        return end[i];
    }

    void clear() {
        count = 0;
    }

    /** Adds a reported block; returns whether it marked any byte not marked before. */
    boolean add(long s, long e) {
        if (s >= e) {
            return false;
        }
        int i = 0;
        while (i < count && end[i] < s) {
            i++;
        }
        int j = i;
        while (j < count && start[j] <= e) {
            j++;
        }
        if (i == j) {
            if (!roomForOne()) {
                return false;
            }
            System.arraycopy(start, i, start, i + 1, count - i);
            System.arraycopy(end, i, end, i + 1, count - i);
            start[i] = s;
            end[i] = e;
            count++;
            return true;
        }
        boolean grew = s < start[i] || e > end[j - 1] || j - i > 1;
        start[i] = Math.min(s, start[i]);
        end[i] = Math.max(e, end[j - 1]);
        int removed = j - i - 1;
        if (removed > 0) {
            System.arraycopy(start, j, start, i + 1, count - j);
            System.arraycopy(end, j, end, i + 1, count - j);
            count -= removed;
        }
        return grew;
    }

    /** Forgets everything below the cumulative acknowledgement. */
    void prune(long una) {
        int k = 0;
        while (k < count && end[k] <= una) {
            k++;
        }
        if (k > 0) {
            System.arraycopy(start, k, start, 0, count - k);
            System.arraycopy(end, k, end, 0, count - k);
            count -= k;
        }
        if (count > 0 && start[0] < una) {
            start[0] = una;
        }
    }

    boolean isSacked(long pos) {
        for (int i = 0; i < count; i++) {
            if (pos < start[i]) {
                return false;
            }
            if (pos < end[i]) {
                return true;
            }
        }
        return false;
    }

    /** RFC 6675 IsLost: DupThresh discontiguous SACKed ranges or more than (DupThresh-1)*SMSS bytes above. */
    boolean isLost(long pos, int smss) {
        long bytes = 0;
        int ranges = 0;
        for (int i = count - 1; i >= 0 && end[i] > pos; i--) {
            bytes += end[i] - Math.max(start[i], pos + 1);
            ranges++;
        }
        return ranges >= DUP_THRESH || bytes > (long) (DUP_THRESH - 1) * smss;
    }

    /** The first position at or above {@code pos} that is not SACKed. */
    long nextUnsacked(long pos) {
        for (int i = 0; i < count; i++) {
            if (pos < start[i]) {
                return pos;
            }
            if (pos < end[i]) {
                pos = end[i];
            }
        }
        return pos;
    }

    /** The start of the first SACKed range above {@code pos}, or {@code limit}. */
    long nextSacked(long pos, long limit) {
        for (int i = 0; i < count; i++) {
            if (start[i] > pos) {
                return Math.min(start[i], limit);
            }
        }
        return limit;
    }

    /**
     * RFC 6675 SetPipe: bytes believed in flight in [una, highData): every un-SACKed byte not deemed lost, plus
     * every retransmitted byte (below {@code highRxt}) again.
     */
    long pipe(long una, long highData, long highRxt, int smss) {
        long pipe = 0;
        long pos = una;
        int i = 0;
        while (pos < highData) {
            while (i < count && end[i] <= pos) {
                i++;
            }
            long holeEnd = i < count ? Math.min(Math.max(start[i], pos), highData) : highData;
            if (holeEnd > pos) {
                if (!isLost(holeEnd - 1, smss)) {
                    pipe += holeEnd - pos;
                }
                if (highRxt > pos) {
                    pipe += Math.min(highRxt, holeEnd) - pos;
                }
            }
            if (i >= count) {
                break;
            }
            pos = Math.max(holeEnd, end[i]);
            i++;
        }
        return pipe;
    }
}
