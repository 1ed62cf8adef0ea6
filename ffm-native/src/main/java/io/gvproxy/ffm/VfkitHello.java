package io.gvproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * vfkit's optional hello, as a VM side sends it: the 4 bytes {@code VFKT} from a datagram socket bound to the path
 * the VM will use, which is then unlinked so that the VM (QEMU {@code -netdev dgram}, a benchmark's link) can bind
 * it again. Upstream gvproxy before v0.8.8 needs it; {@link UnixDatagramLink} takes a first frame as the peer's
 * address too.
 */
public final class VfkitHello {
    private VfkitHello() {
    }

    /** Sends {@code VFKT} from a socket bound to {@code from} to the socket at {@code to}, then removes {@code from}. */
    public static void send(Path from, Path to) throws NativeException {
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
