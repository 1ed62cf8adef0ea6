package io.gvproxy.ffm;

import io.gvproxy.core.net.MacAddress;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.gvproxy.ffm.OsConstants.Linux;

/**
 * A Linux tap interface (IFF_TAP | IFF_NO_PI: whole Ethernet frames, no packet-info header) opened through
 * /dev/net/tun. {@link #open} creates the interface, or attaches to an existing persistent one of that
 * name; a non-persistent one disappears when closed. The interface is configured by ioctl on an AF_INET
 * datagram socket (no {@code ip} command), in the network namespace of the calling thread. Needs
 * CAP_NET_ADMIN.
 *
 * <p>Frames are read and written through {@link TapLink}, on the fd TUNSETIFF attached: reopening it through
 * /proc gives an unattached instance ("File descriptor in bad state"). Closing wakes a reader through an
 * eventfd polled next to the tap fd, since shutdown does not apply to it.
 */
public final class TapDevice implements Closeable {
    private static final String TUN = "/dev/net/tun";

    /** IFF_VNET_HDR: every frame read or written is preceded by a {@link VirtioNetHeader}. */
    static final short IFF_VNET_HDR = 0x4000;
    /** _IOW('T', 208, unsigned int): the offloads the reader can take; the argument is the value itself. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** _IOW('T', 216, int): the size of the header before each frame; the argument points to an int. */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** Offload flags of if_tun.h: the reader completes partial checksums, takes TCP/IPv4 and TCP/IPv6 super-frames. */
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;

    private final String name;
    private final FdHandle handle;
    private final Waker waker;
    private final int vnetHeaderSize;
    private final int offloads;

    private TapDevice(String name, int fd, Waker waker, int vnetHeaderSize, int offloads) {
        this.name = name;
        this.waker = waker;
        this.vnetHeaderSize = vnetHeaderSize;
        this.offloads = offloads;
        this.handle = new FdHandle(fd, waker::close);
    }

    /**
     * Creates or attaches to tap interface {@code name} (at most 15 bytes; a pattern such as
     * {@code tap%d} lets the kernel pick the number; see {@link #name()}).
     */
    public static TapDevice open(String name) throws IOException {
        return open(name, false, 0);
    }

    /**
     * As {@link #open(String)} with IFF_VNET_HDR and the offloads of {@code wanted} (TUN_F_* flags) the kernel
     * accepts: the guest then hands over TCP super-frames of up to 64 KiB and leaves checksums partial, and
     * every frame carries a 12-byte {@link VirtioNetHeader} (read and written by {@link TapLink}). If the kernel
     * refuses {@code wanted}, checksum offload alone is tried, then none; {@link #offloads()} says what holds.
     */
    public static TapDevice openWithOffloads(String name, int wanted) throws IOException {
        return open(name, true, wanted);
    }

    private static TapDevice open(String name, boolean vnetHeader, int wanted) throws IOException {
        Platform.requireLinux("tap");
        int fd = LibC.checkInt("open " + TUN, LibC.openRaw(TUN, Linux.O_RDWR | Linux.O_CLOEXEC | Linux.O_NONBLOCK));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = a.allocate(IfReq.LAYOUT);
            IfReq.setName(req, name);
            IfReq.setFlags(req, (short) (Linux.IFF_TAP | Linux.IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0)));
            LibC.check("TUNSETIFF " + name, LibC.ioctlRaw(fd, Linux.TUNSETIFF, req));
            int offloads = 0;
            if (vnetHeader) {
                MemorySegment size = a.allocate(ValueLayout.JAVA_INT);
                size.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.SIZE);
                LibC.check("TUNSETVNETHDRSZ " + name, LibC.ioctlRaw(fd, TUNSETVNETHDRSZ, size));
                offloads = setOffloads(fd, wanted);
            }
            return new TapDevice(IfReq.name(req), fd, new Waker(), vnetHeader ? VirtioNetHeader.SIZE : 0, offloads);
        } catch (IOException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
    }

    /** The first of {@code wanted}, checksum only, none that TUNSETOFFLOAD accepts (TSO needs TUN_F_CSUM). */
    private static int setOffloads(int fd, int wanted) {
        for (int flags : new int[] {wanted, wanted & TUN_F_CSUM}) {
            if (LibC.ioctlRaw(fd, TUNSETOFFLOAD, MemorySegment.ofAddress(flags)) == 0) {
                return flags;
            }
        }
        LibC.ioctlRaw(fd, TUNSETOFFLOAD, MemorySegment.ofAddress(0));
        return 0;
    }

    /** Bytes of {@link VirtioNetHeader} before each frame: 0 without IFF_VNET_HDR. */
    public int vnetHeaderSize() {
        return vnetHeaderSize;
    }

    /** The TUN_F_* offloads in force. */
    public int offloads() {
        return offloads;
    }

    /** The interface name the kernel assigned. */
    public String name() {
        return name;
    }

    public void setMac(MacAddress mac) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = request(a);
            req.set(ValueLayout.JAVA_SHORT, IfReq.UNION, Linux.ARPHRD_ETHER);
            mac.writeTo(req, IfReq.HWADDR_DATA);
            control("SIOCSIFHWADDR", Linux.SIOCSIFHWADDR, req);
        }
    }

    public MacAddress mac() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = request(a);
            control("SIOCGIFHWADDR", Linux.SIOCGIFHWADDR, req);
            return MacAddress.at(req, IfReq.HWADDR_DATA);
        }
    }

    public void setMtu(int mtu) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = request(a);
            IfReq.setMtu(req, mtu);
            control("SIOCSIFMTU", Linux.SIOCSIFMTU, req);
        }
    }

    public int mtu() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = request(a);
            control("SIOCGIFMTU", Linux.SIOCGIFMTU, req);
            return IfReq.mtu(req);
        }
    }

    /** Sets or clears IFF_UP, keeping the other flags (read, modify, write). */
    public void setUp(boolean up) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = request(a);
            control("SIOCGIFFLAGS", Linux.SIOCGIFFLAGS, req);
            short flags = IfReq.flags(req);
            IfReq.setFlags(req, (short) (up ? flags | Linux.IFF_UP : flags & ~Linux.IFF_UP));
            control("SIOCSIFFLAGS", Linux.SIOCSIFFLAGS, req);
        }
    }

    public boolean isUp() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = request(a);
            control("SIOCGIFFLAGS", Linux.SIOCGIFFLAGS, req);
            return (IfReq.flags(req) & Linux.IFF_UP) != 0;
        }
    }

    private MemorySegment request(Arena a) {
        MemorySegment req = a.allocate(IfReq.LAYOUT);
        IfReq.setName(req, name);
        return req;
    }

    private void control(String op, long request, MemorySegment req) throws IOException {
        OsConstants k = OsConstants.LINUX;
        int s = LibC.socket(k.afInet(), k.sockDgram() | k.sockCloexec(), 0);
        try {
            LibC.check(op + " " + name, LibC.ioctlRaw(s, request, req));
        } finally {
            LibC.closeQuietly(s);
        }
    }

    FdHandle handle() {
        return handle;
    }

    Waker waker() {
        return waker;
    }

    public boolean isOpen() {
        return handle.isOpen();
    }

    /** Wakes a reader blocked in {@link TapLink#receive}; the fd closes once it has left. Idempotent. */
    @Override
    public void close() {
        handle.close(fd -> waker.wake());
    }
}
