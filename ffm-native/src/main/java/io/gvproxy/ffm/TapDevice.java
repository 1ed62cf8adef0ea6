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

    private final String name;
    private final FdHandle handle;
    private final Waker waker;

    private TapDevice(String name, int fd, Waker waker) {
        this.name = name;
        this.waker = waker;
        this.handle = new FdHandle(fd, waker::close);
    }

    /**
     * Creates or attaches to tap interface {@code name} (at most 15 bytes; a pattern such as
     * {@code tap%d} lets the kernel pick the number; see {@link #name()}).
     */
    public static TapDevice open(String name) throws IOException {
        Platform.requireLinux("tap");
        int fd = LibC.checkInt("open " + TUN, LibC.openRaw(TUN, Linux.O_RDWR | Linux.O_CLOEXEC | Linux.O_NONBLOCK));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = a.allocate(IfReq.LAYOUT);
            IfReq.setName(req, name);
            IfReq.setFlags(req, (short) (Linux.IFF_TAP | Linux.IFF_NO_PI));
            LibC.check("TUNSETIFF " + name, LibC.ioctlRaw(fd, Linux.TUNSETIFF, req));
            return new TapDevice(IfReq.name(req), fd, new Waker());
        } catch (IOException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
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
