package io.gvproxy.it;

import io.gvproxy.ffm.LibC;
import io.gvproxy.ffm.NativeException;
import io.gvproxy.ffm.OsConstants;
import io.gvproxy.ffm.Platform;
import io.gvproxy.ffm.SockaddrUn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * vfkit's optional hello: the 4 bytes {@code VFKT} sent from a datagram socket bound to the path
 * the VM will use, which is then unlinked so that QEMU can bind it again (upstream gvproxy before
 * v0.8.8 needs this; ours takes a first frame as the peer's address too).
 */
final class VfktHello {
    private VfktHello() {
    }

    static void send(Path from, Path to) throws NativeException {
        OsConstants k = Platform.current().constants();
        SockaddrUn un = Platform.current().sockaddrUn();
        int fd = LibC.socket(k.afUnix(), k.sockDgram() | k.sockCloexec(), 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment local = a.allocate(un.layout());
            LibC.check("bind " + from, LibC.bindRaw(fd, local, un.encode(local, k.afUnix(), from.toString())));
            MemorySegment remote = a.allocate(un.layout());
            int remoteLen = un.encode(remote, k.afUnix(), to.toString());
            MemorySegment hello = a.allocateFrom("VFKT", StandardCharsets.US_ASCII);
            LibC.check("sendto " + to, LibC.sendtoRaw(fd, hello, 4, 0, remote, remoteLen));
        } finally {
            LibC.closeQuietly(fd);
            LibC.unlinkRaw(from.toString());
        }
    }
}
