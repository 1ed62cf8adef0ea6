package io.gvproxy.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct sockaddr_un} for one OS. Linux: {@code u16 sun_family; char sun_path[108]} (110 bytes).
 * macOS: {@code u8 sun_len; u8 sun_family; char sun_path[104]} (106 bytes).
 */
public final class SockaddrUn {
    public static final SockaddrUn LINUX = new SockaddrUn(Os.LINUX, MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(108, ValueLayout.JAVA_BYTE).withName("sun_path")).withName("sockaddr_un"));
    public static final SockaddrUn MACOS = new SockaddrUn(Os.MACOS, MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("sun_len"),
            ValueLayout.JAVA_BYTE.withName("sun_family"),
            MemoryLayout.sequenceLayout(104, ValueLayout.JAVA_BYTE).withName("sun_path")).withName("sockaddr_un"));

    private final Os os;
    private final StructLayout layout;
    private final long pathOffset;
    private final int pathCapacity;

    private SockaddrUn(Os os, StructLayout layout) {
        this.os = os;
        this.layout = layout;
        this.pathOffset = layout.byteOffset(MemoryLayout.PathElement.groupElement("sun_path"));
        this.pathCapacity = (int) (layout.byteSize() - pathOffset);
    }

    public static SockaddrUn of(Os os) {
        return os == Os.LINUX ? LINUX : MACOS;
    }

    public StructLayout layout() {
        return layout;
    }

    public long pathOffset() {
        return pathOffset;
    }

    /** The longest path in bytes (the array keeps one byte for the terminating NUL). */
    public int maxPathBytes() {
        return pathCapacity - 1;
    }

    /**
     * Writes {@code family} and {@code path} into {@code addr} (at least {@link #layout()} bytes, zeroed here)
     * and returns the address length to pass to bind/connect/sendto: the path offset, the path and its NUL.
     */
    public int encode(MemorySegment addr, int family, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > maxPathBytes()) {
            throw new IllegalArgumentException("unix socket path must be 1.." + maxPathBytes() + " bytes: " + path);
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("unix socket path contains NUL: " + path);
            }
        }
        addr.asSlice(0, layout.byteSize()).fill((byte) 0);
        int len = (int) pathOffset + bytes.length + 1;
        if (os == Os.LINUX) {
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) family);
        } else {
            addr.set(ValueLayout.JAVA_BYTE, 0, (byte) len);
            addr.set(ValueLayout.JAVA_BYTE, 1, (byte) family);
        }
        MemorySegment.copy(bytes, 0, addr, ValueLayout.JAVA_BYTE, pathOffset, bytes.length);
        return len;
    }

    /** The family of an encoded address. */
    public int family(MemorySegment addr) {
        return os == Os.LINUX ? Short.toUnsignedInt(addr.get(ValueLayout.JAVA_SHORT, 0))
                : Byte.toUnsignedInt(addr.get(ValueLayout.JAVA_BYTE, 1));
    }

    /**
     * The path of an address the kernel returned with length {@code addrlen}: "" for an unbound peer
     * (addrlen at most the path offset), {@code @name} for a Linux abstract address.
     */
    public String decodePath(MemorySegment addr, int addrlen) {
        int n = Math.min(addrlen, (int) layout.byteSize()) - (int) pathOffset;
        if (n <= 0) {
            return "";
        }
        byte[] b = addr.asSlice(pathOffset, n).toArray(ValueLayout.JAVA_BYTE);
        if (b[0] == 0) {
            return "@" + new String(b, 1, n - 1, StandardCharsets.UTF_8);
        }
        int end = 0;
        while (end < n && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }
}
