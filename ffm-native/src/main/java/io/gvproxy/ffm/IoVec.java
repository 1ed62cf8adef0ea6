package io.gvproxy.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/** {@code struct iovec} (16 bytes on 64-bit Linux and macOS): {@code void *iov_base; size_t iov_len}. */
public final class IoVec {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("iov_base"),
            ValueLayout.JAVA_LONG.withName("iov_len")).withName("iovec");
    public static final long SIZE = LAYOUT.byteSize();

    private IoVec() {
    }

    public static void set(MemorySegment iov, int index, MemorySegment buf, long len) {
        iov.set(ValueLayout.ADDRESS, index * SIZE, buf);
        iov.set(ValueLayout.JAVA_LONG, index * SIZE + 8, len);
    }
}
