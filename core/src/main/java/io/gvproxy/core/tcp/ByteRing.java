package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * A power-of-two byte ring addressed by absolute 64-bit stream positions. It starts small and grows (by
 * copying the live span) up to a limit, so an idle connection does not pin megabytes of buffer.
 */
final class ByteRing {
    private static final int INITIAL = 4096;
    private final int maxSize;
    private byte[] data;
    private MemorySegment view;
    private int mask;

    ByteRing(int capacityLimit) {
        this.maxSize = Integer.highestOneBit(Math.max(INITIAL, capacityLimit) - 1) << 1;
        resize(Math.min(INITIAL, maxSize));
    }

    private void resize(int size) {
        data = new byte[size];
        view = MemorySegment.ofArray(data);
        mask = size - 1;
    }

    int size() {
        return data.length;
    }

    /** Makes positions [liveStart, end) addressable, keeping the bytes already stored from liveStart on. */
    void ensure(long liveStart, long end) {
        long span = end - liveStart;
        if (span <= data.length) {
            return;
        }
        if (span > maxSize) {
            throw new IllegalStateException("ring span " + span + " above " + maxSize);
        }
        int newSize = data.length;
        while (newSize < span) {
            newSize <<= 1;
        }
        byte[] old = data;
        int oldMask = mask;
        resize(newSize);
        long p = liveStart;
        long stop = liveStart + old.length;
        while (p < stop) {
            int from = (int) (p & oldMask);
            int to = (int) (p & mask);
            int n = (int) Math.min(stop - p, Math.min(old.length - from, data.length - to));
            System.arraycopy(old, from, data, to, n);
            p += n;
        }
    }

    void write(long pos, MemorySegment src, long srcOffset, int len) {
        while (len > 0) {
            int idx = (int) (pos & mask);
            int n = Math.min(len, data.length - idx);
            MemorySegment.copy(src, srcOffset, view, idx, n);
            pos += n;
            srcOffset += n;
            len -= n;
        }
    }

    void read(long pos, MemorySegment dst, long dstOffset, int len) {
        while (len > 0) {
            int idx = (int) (pos & mask);
            int n = Math.min(len, data.length - idx);
            MemorySegment.copy(view, idx, dst, dstOffset, n);
            pos += n;
            dstOffset += n;
            len -= n;
        }
    }

    /** The backing memory; a position maps to {@link #index(long)}. */
    MemorySegment view() {
        return view;
    }

    int index(long pos) {
        return (int) (pos & mask);
    }

    /** Bytes addressable without wrapping from {@code pos}. */
    int contiguous(long pos) {
        return data.length - index(pos);
    }
}
