package io.gvproxy.core.forward;

import java.util.BitSet;

/** Gateway UDP ports handed to forwarded flows: the top of the ephemeral range, each used by one flow at a time. */
final class UdpPorts {
    static final int FIRST = 49152;
    static final int LAST = 65535;
    private final BitSet used = new BitSet();
    private int next;

    synchronized int allocate() {
        int count = LAST - FIRST + 1;
        for (int i = 0; i < count; i++) {
            int candidate = (next + i) % count;
            if (!used.get(candidate)) {
                used.set(candidate);
                next = candidate + 1;
                return FIRST + candidate;
            }
        }
        return -1;
    }

    synchronized void release(int port) {
        used.clear(port - FIRST);
    }
}
