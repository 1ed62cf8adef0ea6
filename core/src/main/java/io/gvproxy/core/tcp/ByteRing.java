package io.gvproxy.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * A power-of-two byte ring addressed by absolute 64-bit stream positions. It starts small and grows (by
 * copying the live span) up to a limit, so an idle connection does not pin megabytes of buffer.
 *
 * <p>An optional mirror repeats the ring's first bytes after its end, so any run of up to that many bytes is
 * contiguous in memory even where it wraps: the sender hands out segment payloads as one slice and never has to
 * cut a segment at the wrap.
 */
final class ByteRing {
    private static final int INITIAL = 4096;
    private final int maxSize;
    private final int mirror;
    private byte[] data;
    private MemorySegment view;
    private int mask;

    ByteRing(int capacityLimit) {
        this(capacityLimit, 0);
    }

    ByteRing(int capacityLimit, int mirror) {
        this.maxSize = Integer.highestOneBit(Math.max(INITIAL, capacityLimit) - 1) << 1;
        this.mirror = mirror;
        resize(Math.min(INITIAL, maxSize));
    }

    private void resize(int size) {
        data = new byte[size + Math.min(mirror, size)];
        view = MemorySegment.ofArray(data);
        mask = size - 1;
    }

    int size() {
        return mask + 1;
    }

    private int mirrored() {
        return data.length - size();
    }

    /** Makes positions [liveStart, end) addressable, keeping the bytes already stored from liveStart on. */
    void ensure(long liveStart, long end) {
        long span = end - liveStart;
        if (span <= size()) {
            return;
        }
        if (span > maxSize) {
            throw new IllegalStateException("ring span " + span + " above " + maxSize);
        }
        int newSize = size();
        while (newSize < span) {
            newSize <<= 1;
        }
        byte[] old = data;
        int oldSize = size();
        int oldMask = mask;
        resize(newSize);
        long p = liveStart;
        long stop = liveStart + oldSize;
        while (p < stop) {
            int from = (int) (p & oldMask);
            int to = (int) (p & mask);
            int n = (int) Math.min(stop - p, Math.min(oldSize - from, newSize - to));
            System.arraycopy(old, from, data, to, n);
            p += n;
        }
        System.arraycopy(data, 0, data, newSize, mirrored());
    }

    void write(long pos, MemorySegment src, long srcOffset, int len) {
        int size = size();
        int mirrored = mirrored();
        while (len > 0) {
            int idx = (int) (pos & mask);
            int n = Math.min(len, size - idx);
            MemorySegment.copy(src, srcOffset, view, idx, n);
            if (idx < mirrored) {
                System.arraycopy(data, idx, data, size + idx, Math.min(n, mirrored - idx));
            }
            pos += n;
            srcOffset += n;
            len -= n;
        }
    }

    void read(long pos, MemorySegment dst, long dstOffset, int len) {
        while (len > 0) {
            int idx = (int) (pos & mask);
            int n = Math.min(len, size() - idx);
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

    /** Bytes readable as one run of {@link #view()} from {@link #index(long)}, counting the mirror. */
    int contiguous(long pos) {
        return data.length - index(pos);
    }
}
