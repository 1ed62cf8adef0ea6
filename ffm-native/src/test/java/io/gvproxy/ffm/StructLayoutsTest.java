package io.gvproxy.ffm;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Sizes and offsets of every ABI struct, for each OS/arch variant (the macOS ones built explicitly). */
class StructLayoutsTest {
    private static long offset(StructLayout l, String field) {
        return l.byteOffset(PathElement.groupElement(field));
    }

    @Test
    void sockaddrUnLinux() {
        StructLayout l = SockaddrUn.LINUX.layout();
        assertEquals(110, l.byteSize());
        assertEquals(2, l.byteAlignment());
        assertEquals(0, offset(l, "sun_family"));
        assertEquals(2, offset(l, "sun_path"));
        assertEquals(107, SockaddrUn.LINUX.maxPathBytes());
    }

    @Test
    void sockaddrUnMacos() {
        StructLayout l = SockaddrUn.MACOS.layout();
        assertEquals(106, l.byteSize());
        assertEquals(0, offset(l, "sun_len"));
        assertEquals(1, offset(l, "sun_family"));
        assertEquals(2, offset(l, "sun_path"));
        assertEquals(103, SockaddrUn.MACOS.maxPathBytes());
    }

    @Test
    void sockaddrUnEncodingPerOs() {
        MemorySegment a = Arena.ofAuto().allocate(110);
        a.fill((byte) 0x7f);
        int len = SockaddrUn.LINUX.encode(a, 1, "/tmp/x.sock");
        assertEquals(2 + 11 + 1, len);
        assertEquals(1, a.get(ValueLayout.JAVA_SHORT, 0));
        assertEquals("/tmp/x.sock", a.getString(2));
        assertEquals(0, a.get(ValueLayout.JAVA_BYTE, 109), "the rest is zeroed");
        assertEquals("/tmp/x.sock", SockaddrUn.LINUX.decodePath(a, len));
        assertEquals(1, SockaddrUn.LINUX.family(a));

        MemorySegment m = Arena.ofAuto().allocate(106);
        int mlen = SockaddrUn.MACOS.encode(m, 1, "/tmp/x.sock");
        assertEquals(14, mlen);
        assertEquals(14, m.get(ValueLayout.JAVA_BYTE, 0), "sun_len");
        assertEquals(1, m.get(ValueLayout.JAVA_BYTE, 1), "sun_family");
        assertEquals("/tmp/x.sock", m.getString(2));
        assertEquals(1, SockaddrUn.MACOS.family(m));
        assertEquals("/tmp/x.sock", SockaddrUn.MACOS.decodePath(m, mlen));
    }

    @Test
    void sockaddrUnRejectsBadPathsAndDecodesSpecialOnes() {
        MemorySegment a = Arena.ofAuto().allocate(110);
        assertThrows(IllegalArgumentException.class, () -> SockaddrUn.LINUX.encode(a, 1, "/" + "a".repeat(107)));
        assertEquals(110, SockaddrUn.LINUX.encode(a, 1, "/" + "a".repeat(106)));
        assertThrows(IllegalArgumentException.class, () -> SockaddrUn.MACOS.encode(a, 1, "/" + "a".repeat(103)));
        assertThrows(IllegalArgumentException.class, () -> SockaddrUn.LINUX.encode(a, 1, ""));
        assertThrows(IllegalArgumentException.class, () -> SockaddrUn.LINUX.encode(a, 1, "a\0b"));
        assertEquals("", SockaddrUn.LINUX.decodePath(a, 0), "unbound peer");
        assertEquals("", SockaddrUn.LINUX.decodePath(a, 2), "unnamed address");
        a.set(ValueLayout.JAVA_BYTE, 2, (byte) 0);
        a.setString(3, "abstract");
        assertEquals("@abstract", SockaddrUn.LINUX.decodePath(a, 3 + 8));
    }

    @Test
    void sockaddrVm() {
        StructLayout l = SockaddrVm.LAYOUT;
        assertEquals(16, l.byteSize());
        assertEquals(0, offset(l, "svm_family"));
        assertEquals(2, offset(l, "svm_reserved1"));
        assertEquals(4, offset(l, "svm_port"));
        assertEquals(8, offset(l, "svm_cid"));
        assertEquals(12, offset(l, "svm_flags"));
        assertEquals(13, offset(l, "svm_zero"));
        MemorySegment a = Arena.ofAuto().allocate(l);
        assertEquals(16, SockaddrVm.encode(a, 40, SockaddrVm.VMADDR_CID_ANY, 1024));
        assertEquals(40, SockaddrVm.family(a));
        assertEquals(SockaddrVm.VMADDR_CID_ANY, SockaddrVm.cid(a));
        assertEquals(1024, SockaddrVm.port(a));
        assertEquals(-1, a.get(ValueLayout.JAVA_INT, 8));
        assertThrows(IllegalArgumentException.class, () -> SockaddrVm.encode(a, 40, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> SockaddrVm.encode(a, 40, 3, 1L << 32));
    }

    @Test
    void ifreq() {
        StructLayout l = IfReq.LAYOUT;
        assertEquals(40, l.byteSize());
        assertEquals(0, offset(l, "ifr_name"));
        assertEquals(16, offset(l, "ifr_ifru"));
        assertEquals(16, IfReq.UNION);
        assertEquals(18, IfReq.HWADDR_DATA);
        MemorySegment r = Arena.ofAuto().allocate(l);
        IfReq.setName(r, "tap0");
        IfReq.setFlags(r, (short) 0x1002);
        assertEquals("tap0", IfReq.name(r));
        assertEquals(0x1002, r.get(ValueLayout.JAVA_SHORT, 16));
        IfReq.setMtu(r, 1500);
        assertEquals(1500, IfReq.mtu(r));
        assertThrows(IllegalArgumentException.class, () -> IfReq.setName(r, "x".repeat(16)));
    }

    @Test
    void pollfd() {
        assertEquals(8, PollFd.LAYOUT.byteSize());
        assertEquals(4, offset(PollFd.LAYOUT, "events"));
        assertEquals(6, offset(PollFd.LAYOUT, "revents"));
        MemorySegment fds = Arena.ofAuto().allocate(PollFd.LAYOUT, 2);
        PollFd.set(fds, 1, 7, OsConstants.POLLOUT);
        assertEquals(7, fds.get(ValueLayout.JAVA_INT, 8));
        assertEquals(OsConstants.POLLOUT, fds.get(ValueLayout.JAVA_SHORT, 12));
        fds.set(ValueLayout.JAVA_SHORT, 14, (short) 0x8001);
        assertEquals(0x8001, PollFd.revents(fds, 1));
    }

    @Test
    void iovec() {
        assertEquals(16, IoVec.LAYOUT.byteSize());
        assertEquals(8, offset(IoVec.LAYOUT, "iov_len"));
    }

    @Test
    void epollEventPerArch() {
        StructLayout x86 = EpollEvent.of(new Platform(Os.LINUX, Arch.X86_64));
        assertEquals(12, x86.byteSize());
        assertEquals(4, offset(x86, "data"));
        StructLayout arm = EpollEvent.of(new Platform(Os.LINUX, Arch.AARCH64));
        assertEquals(16, arm.byteSize());
        assertEquals(8, offset(arm, "data"));
        assertThrows(UnsupportedOperationException.class, () -> EpollEvent.of(new Platform(Os.MACOS, Arch.AARCH64)));
    }

    @Test
    void platformPicksTheVariants() {
        Platform mac = Platform.detect("Mac OS X", "aarch64");
        assertEquals(new Platform(Os.MACOS, Arch.AARCH64), mac);
        assertEquals(SockaddrUn.MACOS, mac.sockaddrUn());
        assertEquals(OsConstants.MACOS, mac.constants());
        assertEquals(-1, mac.constants().afVsock());
        assertEquals(0, mac.constants().sockCloexec());
        Platform linux = Platform.detect("Linux", "amd64");
        assertEquals(new Platform(Os.LINUX, Arch.X86_64), linux);
        assertEquals(SockaddrUn.LINUX, linux.sockaddrUn());
        assertEquals(40, linux.constants().afVsock());
        assertEquals(new Platform(Os.LINUX, Arch.AARCH64), Platform.detect("Linux", "aarch64"));
    }

    @Test
    void unsupportedSystemsFailClearlyWhenUsed() {
        assertEquals(null, Platform.detect("Windows 11", "amd64"));
        assertEquals(null, Platform.detect("Linux", "riscv64"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Platform.require(Platform.detect("Windows 11", "amd64"), "Windows 11"));
        assertEquals(true, e.getMessage().startsWith("not supported on this OS: Windows 11"), e.getMessage());
        UnsupportedOperationException v = assertThrows(UnsupportedOperationException.class,
                () -> Platform.requireLinux(new Platform(Os.MACOS, Arch.AARCH64), "AF_VSOCK", "Mac OS X"));
        assertEquals("AF_VSOCK is not supported on this OS: Mac OS X", v.getMessage());
    }
}
