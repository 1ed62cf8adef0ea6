package io.gvproxy.core.tcp;

import java.util.Arrays;

/** A copy of one segment the engine transmitted (the engine's own instance is reused). */
record SentSegment(int seq, int ack, int flags, int window, int mss, int windowScale, boolean sackPermitted,
                   boolean timestamps, int tsVal, int tsEcr, int[] sackLeft, int[] sackRight, byte[] payload) {

    static SentSegment copyOf(TcpSegment s) {
        int n = s.sackBlockCount();
        int[] l = new int[n];
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = s.sackLeft(i);
            r[i] = s.sackRight(i);
        }
        byte[] p = new byte[s.payloadLength()];
        for (int i = 0; i < p.length; i++) {
            p[i] = s.payloadByte(i);
        }
        return new SentSegment(s.seq(), s.ack(), s.flags(), s.window(), s.mss(), s.windowScale(),
                s.sackPermitted(), s.hasTimestamps(), s.tsVal(), s.tsEcr(), l, r, p);
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    int len() {
        return payload.length;
    }

    int sackBlocks() {
        return sackLeft.length;
    }

    /** Rebuilds an engine segment carrying the same fields (for feeding it to another connection). */
    TcpSegment toSegment() {
        TcpSegment s = new TcpSegment().seq(seq).ack(ack).flags(flags).window(window).mss(mss)
                .windowScale(windowScale).sackPermitted(sackPermitted);
        if (timestamps) {
            s.timestamps(tsVal, tsEcr);
        }
        for (int i = 0; i < sackLeft.length; i++) {
            s.addSackBlock(sackLeft[i], sackRight[i]);
        }
        if (payload.length > 0) {
            s.payload(java.lang.foreign.MemorySegment.ofArray(payload));
        }
        return s;
    }

    @Override
    public String toString() {
        return toSegment() + (payload.length > 0 && payload.length < 16 ? " " + Arrays.toString(payload) : "");
    }
}
