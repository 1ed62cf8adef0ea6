package io.gvproxy.cli;

import io.gvproxy.ffm.LibC;
import io.gvproxy.ffm.NativeException;
import io.gvproxy.ffm.OsConstants;
import io.gvproxy.ffm.Platform;
import io.gvproxy.ffm.SockaddrUn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The VM side of a vfkit link in tests: an AF_UNIX datagram socket bound to its own path. */
final class DatagramVm implements AutoCloseable {
    private final OsConstants k = Platform.current().constants();
    private final SockaddrUn un = Platform.current().sockaddrUn();
    private final Arena arena = Arena.ofAuto();
    private final int fd;

    DatagramVm(Path bindTo) throws NativeException {
        fd = LibC.socket(k.afUnix(), k.sockDgram() | k.sockCloexec(), 0);
        MemorySegment addr = arena.allocate(un.layout());
        int len = un.encode(addr, k.afUnix(), bindTo.toString());
        LibC.check("bind", LibC.bindRaw(fd, addr, len));
    }

    void sendTo(Path server, byte[] data) throws NativeException {
        MemorySegment addr = arena.allocate(un.layout());
        int len = un.encode(addr, k.afUnix(), server.toString());
        MemorySegment buf = arena.allocate(data.length);
        MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
        LibC.check("sendto", LibC.sendtoRaw(fd, buf, data.length, 0, addr, len));
    }

    /** The next datagram; fails after 10 s. The wait runs on a platform thread, woken by shutdown. */
    byte[] receive() throws Exception {
        CompletableFuture<byte[]> got = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            MemorySegment buf = arena.allocate(4096);
            long n = LibC.recvRaw(fd, buf, 4096, 0);
            if (n < 0) {
                got.completeExceptionally(LibC.error("recv", (int) -n));
            } else {
                got.complete(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
        });
        try {
            return got.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LibC.shutdownRaw(fd, k.shutRdwr());
            throw new AssertionError("no datagram within 10 s");
        }
    }

    @Override
    public void close() {
        LibC.shutdownRaw(fd, k.shutRdwr());
        LibC.closeQuietly(fd);
    }
}
