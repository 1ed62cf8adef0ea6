package io.gvproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A native buffer owned by one thread (one link's sender), used only when a caller hands over a heap
 * segment or buffer, which a downcall cannot take. Pooled frames are native and skip it.
 */
final class NativeScratch {
    private MemorySegment buffer = MemorySegment.NULL;

    /** {@code src} itself when native, else a copy of it in the scratch buffer. */
    MemorySegment nativeView(MemorySegment src) {
        if (src.isNative()) {
            return src;
        }
        MemorySegment dst = ensure(src.byteSize());
        MemorySegment.copy(src, 0, dst, 0, src.byteSize());
        return dst;
    }

    /** A native segment of exactly {@code size} bytes, valid until the next call. */
    MemorySegment ensure(long size) {
        if (buffer.byteSize() < size) {
            buffer = Arena.ofAuto().allocate(Math.max(size, 65536), 16);
        }
        return buffer.asSlice(0, size);
    }
}
