package io.gvproxy.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The ABI a ping socket needs beyond {@link LibC}: {@code struct sockaddr_in}, {@code struct msghdr} and
 * {@code struct cmsghdr} (whose integer widths differ: Linux uses size_t for the lengths, macOS int/socklen_t),
 * Linux's {@code struct sock_extended_err} (the IP_RECVERR error queue; macOS has none), the constants, and
 * recvmsg. Linux x86_64 and aarch64 share every layout here (LP64, natural alignment).
 */
record PingSocketAbi(Os os, StructLayout sockaddrIn, StructLayout msghdr, StructLayout cmsghdr, long cmsgDataOffset,
                     int ipTtl, int sockCloexecOrZero) {
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_ICMP = 1;
    /** Linux only: queue ICMP errors on the socket's error queue. */
    static final int IP_RECVERR = 11;
    static final int MSG_ERRQUEUE = 0x2000;
    static final int SO_EE_ORIGIN_LOCAL = 1;
    static final int SO_EE_ORIGIN_ICMP = 2;
    static final int EPERM = 1;
    static final int EACCES = 13;

    /** Linux {@code struct sock_extended_err}; the offender's sockaddr follows it (SO_EE_OFFENDER). */
    static final StructLayout SOCK_EXTENDED_ERR = MemoryLayout.structLayout(
            JAVA_INT.withName("ee_errno"),
            ValueLayout.JAVA_BYTE.withName("ee_origin"),
            ValueLayout.JAVA_BYTE.withName("ee_type"),
            ValueLayout.JAVA_BYTE.withName("ee_code"),
            ValueLayout.JAVA_BYTE.withName("ee_pad"),
            JAVA_INT.withName("ee_info"),
            JAVA_INT.withName("ee_data")).withName("sock_extended_err");

    static final StructLayout SOCKADDR_IN_LINUX = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin_family"),
            ValueLayout.JAVA_SHORT.withName("sin_port"),
            JAVA_INT.withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");
    /** BSD: a length byte, then a one-byte family. */
    static final StructLayout SOCKADDR_IN_MACOS = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("sin_len"),
            ValueLayout.JAVA_BYTE.withName("sin_family"),
            ValueLayout.JAVA_SHORT.withName("sin_port"),
            JAVA_INT.withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");

    static final StructLayout MSGHDR_LINUX = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");
    static final StructLayout MSGHDR_MACOS = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_INT.withName("msg_iovlen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_control"),
            JAVA_INT.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags")).withName("msghdr");

    static final StructLayout CMSGHDR_LINUX = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")).withName("cmsghdr");
    static final StructLayout CMSGHDR_MACOS = MemoryLayout.structLayout(
            JAVA_INT.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")).withName("cmsghdr");

    static final PingSocketAbi LINUX = new PingSocketAbi(Os.LINUX, SOCKADDR_IN_LINUX, MSGHDR_LINUX, CMSGHDR_LINUX,
            16, 2, OsConstants.LINUX.sockCloexec());
    /** CMSG_DATA is the header rounded up to 4-byte alignment there: 12. */
    static final PingSocketAbi MACOS = new PingSocketAbi(Os.MACOS, SOCKADDR_IN_MACOS, MSGHDR_MACOS, CMSGHDR_MACOS,
            12, 4, 0);

    static PingSocketAbi of(Os os) {
        return os == Os.LINUX ? LINUX : MACOS;
    }

    long offset(StructLayout l, String field) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** Fills {@code addr} for {@code ip} (port 0: a ping socket has none) and returns its length. */
    int encodeSockaddrIn(MemorySegment addr, int ip) {
        addr.asSlice(0, sockaddrIn.byteSize()).fill((byte) 0);
        if (os == Os.MACOS) {
            addr.set(ValueLayout.JAVA_BYTE, 0, (byte) sockaddrIn.byteSize());
            addr.set(ValueLayout.JAVA_BYTE, 1, (byte) OsConstants.MACOS.afInet());
        } else {
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) OsConstants.LINUX.afInet());
        }
        addr.set(BE_INT, 4, ip);
        return (int) sockaddrIn.byteSize();
    }

    /** The IPv4 address of an AF_INET sockaddr, or 0 for any other family or a short one. */
    int decodeSockaddrIn(MemorySegment addr, long length) {
        if (length < 8) {
            return 0;
        }
        int family = os == Os.MACOS ? Byte.toUnsignedInt(addr.get(ValueLayout.JAVA_BYTE, 1))
                : Short.toUnsignedInt(addr.get(ValueLayout.JAVA_SHORT, 0));
        return family == 2 ? addr.get(BE_INT, 4) : 0;
    }

    /** CMSG_ALIGN: Linux aligns control messages to size_t, macOS to 4 bytes. */
    long cmsgAlign(long n) {
        long a = os == Os.LINUX ? 8 : 4;
        return (n + a - 1) & -a;
    }

    /** The cmsg_len field, whatever its width. */
    long cmsgLen(MemorySegment control, long at) {
        return os == Os.LINUX ? control.get(JAVA_LONG, at) : Integer.toUnsignedLong(control.get(JAVA_INT, at));
    }

    /** Fills a msghdr for one iovec and a control buffer; sets msg_namelen to the address buffer's size. */
    void fillMsghdr(MemorySegment msg, MemorySegment name, MemorySegment iov, MemorySegment control) {
        msg.fill((byte) 0);
        msg.set(ADDRESS, offset(msghdr, "msg_name"), name);
        msg.set(JAVA_INT, offset(msghdr, "msg_namelen"), (int) name.byteSize());
        msg.set(ADDRESS, offset(msghdr, "msg_iov"), iov);
        msg.set(ADDRESS, offset(msghdr, "msg_control"), control);
        if (os == Os.LINUX) {
            msg.set(JAVA_LONG, offset(msghdr, "msg_iovlen"), 1L);
            msg.set(JAVA_LONG, offset(msghdr, "msg_controllen"), control.byteSize());
        } else {
            msg.set(JAVA_INT, offset(msghdr, "msg_iovlen"), 1);
            msg.set(JAVA_INT, offset(msghdr, "msg_controllen"), (int) control.byteSize());
        }
    }

    /** msg_controllen as the kernel left it. */
    long controlLength(MemorySegment msg) {
        long at = offset(msghdr, "msg_controllen");
        return os == Os.LINUX ? msg.get(JAVA_LONG, at) : Integer.toUnsignedLong(msg.get(JAVA_INT, at));
    }

    int namelen(MemorySegment msg) {
        return msg.get(JAVA_INT, offset(msghdr, "msg_namelen"));
    }

    static final ValueLayout.OfInt BE_INT = JAVA_INT.withOrder(java.nio.ByteOrder.BIG_ENDIAN).withByteAlignment(1);

    // ---- downcalls libc lacks in LibC: recvmsg (for the error queue) and getgid (for the log line) ----

    private static final Linker LINKER = Linker.nativeLinker();
    private static final VarHandle ERRNO = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle RECVMSG = LINKER.defaultLookup().find("recvmsg")
            .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
                    Linker.Option.captureCallState("errno")))
            .orElse(null);
    private static final MethodHandle GETGID = LINKER.defaultLookup().find("getgid")
            .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(JAVA_INT)))
            .orElse(null);
    private static final int EINTR = 4;

    /** recvmsg: the byte count, or -errno; EINTR retried. */
    static long recvmsgRaw(int fd, MemorySegment msg, int flags) {
        if (RECVMSG == null) {
            throw Platform.unsupported("recvmsg()");
        }
        MemorySegment c = LibC.capture();
        try {
            long r;
            do {
                r = (long) RECVMSG.invokeExact(c, fd, msg, flags);
            } while (r < 0 && (int) ERRNO.get(c, 0L) == EINTR);
            return r < 0 ? -(int) ERRNO.get(c, 0L) : r;
        } catch (Throwable t) {
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    /** The process's real group id, or -1 when libc has no getgid. */
    static long gid() {
        if (GETGID == null) {
            return -1;
        }
        try {
            return Integer.toUnsignedLong((int) GETGID.invokeExact());
        } catch (Throwable t) {
            return -1;
        }
    }
}
