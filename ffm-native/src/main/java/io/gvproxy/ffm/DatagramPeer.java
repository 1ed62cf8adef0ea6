package io.gvproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A learned AF_UNIX datagram peer: a private copy of its address, and whether sends found it gone. */
final class DatagramPeer {
    final MemorySegment addr;
    final int addrLen;
    final String path;
    volatile boolean gone;

    DatagramPeer(MemorySegment from, int addrLen, SockaddrUn un) {
        this.addr = Arena.ofAuto().allocate(un.layout());
        MemorySegment.copy(from, 0, addr, 0, addrLen);
        this.addrLen = addrLen;
        this.path = un.decodePath(addr, addrLen);
    }

    boolean matches(MemorySegment other, int otherLen) {
        return otherLen == addrLen && MemorySegment.mismatch(addr, 0, addrLen, other, 0, addrLen) == -1;
    }
}
