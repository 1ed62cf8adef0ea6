package io.gvproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The VM side of a unixgram link for tests: an AF_UNIX datagram socket, bound to a path or unbound. */
final class DgramClient implements AutoCloseable {
    private final Platform p = Platform.current();
    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final Path path;

    DgramClient(Path bindTo) throws NativeException {
        this.path = bindTo;
        this.fd = UnixSockets.open(p, p.constants().sockDgram(), false);
        if (bindTo != null) {
            UnixSockets.bind(p, fd, bindTo);
        }
    }

    void sendTo(Path server, MemorySegment data) throws NativeException {
        MemorySegment addr = arena.allocate(p.sockaddrUn().layout());
        int len = p.sockaddrUn().encode(addr, p.constants().afUnix(), server.toString());
        MemorySegment buf = arena.allocate(Math.max(1, data.byteSize()));
        MemorySegment.copy(data, 0, buf, 0, data.byteSize());
        LibC.check("sendto", LibC.sendtoRaw(fd, buf, data.byteSize(), 0, addr, len));
    }

    void sendTo(Path server, String text) throws NativeException {
        sendTo(server, MemorySegment.ofArray(text.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The next datagram, or null after {@code timeoutMillis}. */
    byte[] receive(int timeoutMillis) throws NativeException {
        MemorySegment pfd = arena.allocate(PollFd.LAYOUT);
        PollFd.set(pfd, 0, fd, OsConstants.POLLIN);
        if (LibC.check("poll", LibC.pollRaw(pfd, 1, timeoutMillis)) == 0) {
            return null;
        }
        MemorySegment buf = arena.allocate(70000);
        long n = LibC.check("recv", LibC.recvRaw(fd, buf, 70000, 0));
        return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    Path path() {
        return path;
    }

    /** Closes the socket; the file stays unless {@code unlink}. */
    void close(boolean unlink) {
        LibC.closeQuietly(fd);
        if (unlink && path != null) {
            LibC.unlinkRaw(path.toString());
        }
    }

    @Override
    public void close() {
        close(true);
    }
}
