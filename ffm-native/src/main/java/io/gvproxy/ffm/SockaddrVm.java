package io.gvproxy.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * Linux {@code struct sockaddr_vm} (16 bytes): {@code u16 svm_family; u16 svm_reserved1; u32 svm_port;
 * u32 svm_cid; u8 svm_flags; u8 svm_zero[3]}. macOS has no AF_VSOCK.
 */
public final class SockaddrVm {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("svm_family"),
            ValueLayout.JAVA_SHORT.withName("svm_reserved1"),
            ValueLayout.JAVA_INT.withName("svm_port"),
            ValueLayout.JAVA_INT.withName("svm_cid"),
            ValueLayout.JAVA_BYTE.withName("svm_flags"),
            MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_BYTE).withName("svm_zero")).withName("sockaddr_vm");

    public static final long VMADDR_CID_ANY = 0xFFFF_FFFFL;
    public static final long VMADDR_CID_LOCAL = 1;
    public static final long VMADDR_CID_HOST = 2;
    public static final long VMADDR_PORT_ANY = 0xFFFF_FFFFL;

    private static final long PORT = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("svm_port"));
    private static final long CID = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("svm_cid"));

    private SockaddrVm() {
    }

    /** Fills {@code addr} for AF_VSOCK {@code cid:port} (both unsigned 32-bit) and returns its length. */
    public static int encode(MemorySegment addr, int afVsock, long cid, long port) {
        checkU32("cid", cid);
        checkU32("port", port);
        addr.asSlice(0, LAYOUT.byteSize()).fill((byte) 0);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) afVsock);
        addr.set(ValueLayout.JAVA_INT, PORT, (int) port);
        addr.set(ValueLayout.JAVA_INT, CID, (int) cid);
        return (int) LAYOUT.byteSize();
    }

    public static int family(MemorySegment addr) {
        return Short.toUnsignedInt(addr.get(ValueLayout.JAVA_SHORT, 0));
    }

    public static long port(MemorySegment addr) {
        return Integer.toUnsignedLong(addr.get(ValueLayout.JAVA_INT, PORT));
    }

    public static long cid(MemorySegment addr) {
        return Integer.toUnsignedLong(addr.get(ValueLayout.JAVA_INT, CID));
    }

    private static void checkU32(String what, long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("vsock " + what + " out of range: " + v);
        }
    }
}
