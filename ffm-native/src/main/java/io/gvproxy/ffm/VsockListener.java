package io.gvproxy.ffm;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A listening AF_VSOCK stream socket for {@code vsock://[CID]:PORT} (Linux; macOS has no AF_VSOCK and
 * upstream maps {@code vsock://null:PORT/DIR} to a unix socket there).
 *
 * <p>Threading: {@link #accept} blocks through FFM (poll on the socket and a wake-up eventfd, since shutdown
 * does not wake accept on a listening vsock socket); call it from a platform thread. {@link #close} from any
 * thread wakes it (it then throws {@link java.nio.channels.AsynchronousCloseException}).
 */
public final class VsockListener implements Closeable {
    private final Acceptor acceptor;
    private final Platform platform;
    private final VsockAddress local;

    private VsockListener(Acceptor acceptor, Platform platform, VsockAddress local) {
        this.acceptor = acceptor;
        this.platform = platform;
        this.local = local;
    }

    /** Binds and listens; use {@link SockaddrVm#VMADDR_CID_ANY} for any CID, {@link SockaddrVm#VMADDR_PORT_ANY} for a kernel-chosen port. */
    public static VsockListener bind(VsockAddress address) throws IOException {
        Platform p = Platform.requireLinux("AF_VSOCK");
        OsConstants k = p.constants();
        int fd = LibC.socket(k.afVsock(), k.sockStream() | k.sockCloexec() | k.sockNonblock(), 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockaddrVm.LAYOUT);
            int len = SockaddrVm.encode(addr, k.afVsock(), address.cid(), address.port());
            LibC.check("bind " + address, LibC.bindRaw(fd, addr, len));
            LibC.check("listen", LibC.listenRaw(fd, 16));
            MemorySegment alen = a.allocateFrom(ValueLayout.JAVA_INT, len);
            LibC.check("getsockname", LibC.getsocknameRaw(fd, addr, alen));
            VsockAddress bound = new VsockAddress(SockaddrVm.cid(addr), SockaddrVm.port(addr));
            return new VsockListener(new Acceptor(fd, p), p, bound);
        } catch (IOException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
    }

    /** The bound address as the kernel reports it (getsockname): the real port when PORT_ANY was asked. */
    public VsockAddress localAddress() {
        return local;
    }

    /** Blocks until a peer connects. */
    public VsockSocket accept() throws IOException {
        return new VsockSocket(acceptor.accept(), platform);
    }

    /**
     * This machine's CID (ioctl IOCTL_VM_SOCKETS_GET_LOCAL_CID on /dev/vsock): what upstream binds an empty
     * CID to.
     */
    public static long localCid() throws IOException {
        Platform.requireLinux("AF_VSOCK");
        int fd = LibC.checkInt("open /dev/vsock", LibC.openRaw("/dev/vsock", OsConstants.Linux.O_RDWR | OsConstants.Linux.O_CLOEXEC));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cid = a.allocate(ValueLayout.JAVA_INT);
            LibC.check("IOCTL_VM_SOCKETS_GET_LOCAL_CID", LibC.ioctlRaw(fd, OsConstants.Linux.IOCTL_VM_SOCKETS_GET_LOCAL_CID, cid));
            return Integer.toUnsignedLong(cid.get(ValueLayout.JAVA_INT, 0));
        } finally {
            LibC.closeQuietly(fd);
        }
    }

    /** Stops accepting and wakes a blocked {@link #accept}; idempotent. */
    @Override
    public void close() {
        acceptor.close();
    }
}
