package io.gvproxy.core.wire;

import java.lang.foreign.MemorySegment;

/**
 * The TCP options this stack understands (RFC 9293 MSS, RFC 7323 window scale and timestamps, RFC 2018 SACK),
 * as a reusable holder: {@link TcpSegment#readOptions} fills it, {@link TcpSegment#write} emits it.
 * Absent numeric options read as -1.
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;
    public static final int MAX_SACK_BLOCKS = 4;
    /** The option area can hold at most 40 bytes (data offset 15 minus the fixed 20). */
    public static final int MAX_LENGTH = 40;

    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlocks;
    private final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[MAX_SACK_BLOCKS];

    public TcpOptions clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlocks = 0;
        return this;
    }

    public int mss() {
        return mss;
    }

    public TcpOptions mss(int value) {
        mss = value;
        return this;
    }

    public int windowScale() {
        return windowScale;
    }

    public TcpOptions windowScale(int shift) {
        windowScale = shift;
        return this;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    public TcpOptions sackPermitted(boolean value) {
        sackPermitted = value;
        return this;
    }

    public boolean hasTimestamps() {
        return timestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    public TcpOptions timestamps(int value, int echoReply) {
        timestamps = true;
        tsVal = value;
        tsEcr = echoReply;
        return this;
    }

    public int sackBlockCount() {
        return sackBlocks;
    }

    public int sackLeft(int block) {
        return sackLeft[checkBlock(block)];
    }

    public int sackRight(int block) {
        return sackRight[checkBlock(block)];
    }

    /** Appends a SACK block [left, right) of sequence numbers; at most {@link #MAX_SACK_BLOCKS}. */
    public TcpOptions addSackBlock(int left, int right) {
        if (sackBlocks == MAX_SACK_BLOCKS) {
            throw new IllegalStateException("at most " + MAX_SACK_BLOCKS + " SACK blocks");
        }
        sackLeft[sackBlocks] = left;
        sackRight[sackBlocks] = right;
        sackBlocks++;
        return this;
    }

    private int checkBlock(int block) {
        if (block < 0 || block >= sackBlocks) {
            throw new IndexOutOfBoundsException("SACK block " + block + " of " + sackBlocks);
        }
        return block;
    }

    /** Bytes the options take on the wire, padded to a multiple of 4. */
    public int encodedLength() {
        int n = (mss >= 0 ? 4 : 0) + (windowScale >= 0 ? 3 : 0) + (sackPermitted ? 2 : 0) + (timestamps ? 10 : 0)
                + (sackBlocks > 0 ? 2 + 8 * sackBlocks : 0);
        return (n + 3) & ~3;
    }

    /** Writes the options at {@code offset}, padded with EOL to {@link #encodedLength()}; returns that length. */
    int write(MemorySegment seg, long offset) {
        int len = encodedLength();
        if (len > MAX_LENGTH) {
            throw new IllegalArgumentException("TCP options need " + len + " bytes, at most " + MAX_LENGTH + " fit");
        }
        long at = offset;
        if (mss >= 0) {
            WireView.put8(seg, at, KIND_MSS);
            WireView.put8(seg, at + 1, 4);
            WireView.put16(seg, at + 2, mss);
            at += 4;
        }
        if (windowScale >= 0) {
            WireView.put8(seg, at, KIND_WINDOW_SCALE);
            WireView.put8(seg, at + 1, 3);
            WireView.put8(seg, at + 2, windowScale);
            at += 3;
        }
        if (sackPermitted) {
            WireView.put8(seg, at, KIND_SACK_PERMITTED);
            WireView.put8(seg, at + 1, 2);
            at += 2;
        }
        if (timestamps) {
            WireView.put8(seg, at, KIND_TIMESTAMPS);
            WireView.put8(seg, at + 1, 10);
            WireView.put32(seg, at + 2, tsVal);
            WireView.put32(seg, at + 6, tsEcr);
            at += 10;
        }
        if (sackBlocks > 0) {
            WireView.put8(seg, at, KIND_SACK);
            WireView.put8(seg, at + 1, 2 + 8 * sackBlocks);
            at += 2;
            for (int i = 0; i < sackBlocks; i++) {
                WireView.put32(seg, at, sackLeft[i]);
                WireView.put32(seg, at + 4, sackRight[i]);
                at += 8;
            }
        }
        while (at < offset + len) {
            WireView.put8(seg, at++, KIND_EOL);
        }
        return len;
    }
}
