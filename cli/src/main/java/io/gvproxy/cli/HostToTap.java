package io.gvproxy.cli;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.ffm.TapLink;
import io.gvproxy.ffm.TcpSuperFrame;

import java.io.IOException;

/**
 * Writes gvproxy's frames to the tap. A TCP/IPv4 frame longer than the tap's MTU (gvproxy sends such frames only
 * after accepting the {@link LargeSegmentOffer}) goes as one frame with a segmentation header: segments sized to the
 * tap's MTU, checksum left partial, so the guest's kernel takes it as one large receive instead of one per MSS.
 * Writer thread owned.
 */
final class HostToTap {
    /** How long a read of the tap's MTU is trusted: the DHCP client may change it after the link came up. */
    private static final long MTU_REFRESH_NANOS = 1_000_000_000L;
    private static final int ETHERNET_HEADER = 14;

    private final TapLink tap;
    private final TcpSuperFrame superFrame = new TcpSuperFrame();
    private final Counter largeSent;
    private int mtu;
    private long mtuReadAt;

    HostToTap(TapLink tap, Counters counters) {
        this.tap = tap;
        this.largeSent = counters.counter("tap.tx_large_segments");
    }

    void send(Frame frame) throws IOException {
        int length = frame.length();
        if (length > ETHERNET_HEADER + currentMtu(length)
                && superFrame.wrapForMtu(frame.buffer(), length, mtu) && superFrame.needsSegments()) {
            superFrame.toPartialChecksum();
            tap.sendSegmented(frame.data(), superFrame.tcpOffset(), superFrame.headersLength(),
                    superFrame.segmentSize());
            largeSent.increment();
            return;
        }
        tap.send(frame.data());
    }

    /** The tap's MTU, read again when stale and a frame might exceed it (never on the per-frame path otherwise). */
    private int currentMtu(int frameLength) throws IOException {
        if (frameLength <= ETHERNET_HEADER + mtu) {
            return mtu;
        }
        long now = System.nanoTime();
        if (mtu == 0 || now - mtuReadAt > MTU_REFRESH_NANOS) {
            mtu = tap.device().mtu();
            mtuReadAt = now;
        }
        return mtu;
    }
}
