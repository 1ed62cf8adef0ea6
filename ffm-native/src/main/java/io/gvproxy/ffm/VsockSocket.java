package io.gvproxy.ffm;

import io.gvproxy.core.forward.HalfCloseableChannel;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * A connected AF_VSOCK stream socket (Linux) as a blocking byte channel, for a stream link with its
 * framing on top: gvproxy's {@code -listen vsock://} side and gvforwarder's dialing side.
 *
 * <p>Threading: reads and writes block through FFM; use one platform reader thread and one platform writer
 * thread. {@link #close} from any thread wakes both (shutdown) and then releases the fd.
 */
public final class VsockSocket implements HalfCloseableChannel {
    private final NativeStreamChannel channel;
    private final VsockAddress remote;

    VsockSocket(int fd, Platform p) {
        this.channel = new NativeStreamChannel(fd, p);
        this.remote = peer(fd);
    }

    /**
     * Connects to {@code cid:port}; blocks until connected or the kernel's connect timeout (2 s by default)
     * expires with ETIMEDOUT.
     */
    public static VsockSocket connect(long cid, long port) throws IOException {
        Platform p = Platform.requireLinux("AF_VSOCK");
        OsConstants k = p.constants();
        int fd = LibC.socket(k.afVsock(), k.sockStream() | k.sockCloexec(), 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockaddrVm.LAYOUT);
            int len = SockaddrVm.encode(addr, k.afVsock(), cid, port);
            LibC.check("connect vsock://" + cid + ":" + port, LibC.connectRaw(fd, addr, len));
            return new VsockSocket(fd, p);
        } catch (IOException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
    }

    private static VsockAddress peer(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockaddrVm.LAYOUT);
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, (int) SockaddrVm.LAYOUT.byteSize());
            if (LibC.getpeernameRaw(fd, addr, len) < 0) {
                return null;
            }
            return new VsockAddress(SockaddrVm.cid(addr), SockaddrVm.port(addr));
        }
    }

    /** The peer's address, or null if the kernel could not tell (the peer already left). */
    public VsockAddress remoteAddress() {
        return remote;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    /** Half-close: the peer reads end of stream. */
    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        channel.close();
    }
}
