package io.gvproxy.cli;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.ffm.SuperFrame;
import io.gvproxy.ffm.TcpSuperFrame;
import io.gvproxy.ffm.VirtioNetHeader;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * What gvforwarder does with one burst of frames read from a tap with offloads before they go to gvproxy: partial
 * checksums are completed; a TCP/IPv4 super-frame goes as one frame when gvproxy {@link LargeSegmentOffer accepted
 * large segments} and the framing can carry it, and is otherwise cut into the guest's MSS-sized segments here
 * (still one tap read per 64 KiB instead of one per segment). Drops are counted under {@code tap.rx_*}. Reader
 * thread owned; the output buffers are reused after each write, which copies them.
 */
final class TapToHost {
    /** Output frames per write to gvproxy at most. */
    static final int OUT_FRAMES = 64;

    private final Link host;
    private final BooleanSupplier largeSegmentsAccepted;
    private final Frame[] out = new Frame[OUT_FRAMES];
    private final Frame[] segments = new Frame[OUT_FRAMES];
    private final TcpSuperFrame superFrame = new TcpSuperFrame();
    private final Counter checksumDropped;
    private final Counter gsoDropped;
    private final Counter superFramesSent;
    private final Counter superFramesSegmented;
    private int outCount;
    private int segmentsUsed;

    TapToHost(Link host, FramePool segmentPool, BooleanSupplier largeSegmentsAccepted, Counters counters) {
        this.host = host;
        this.largeSegmentsAccepted = largeSegmentsAccepted;
        for (int i = 0; i < segments.length; i++) {
            segments[i] = segmentPool.acquire();
        }
        checksumDropped = counters.counter("tap.rx_checksum_offset_invalid");
        gsoDropped = counters.counter("tap.rx_gso_dropped");
        superFramesSent = counters.counter("tap.rx_super_frames_sent");
        superFramesSegmented = counters.counter("tap.rx_super_frames_segmented");
    }

    /** Takes one frame the tap returned with {@code header}; may write earlier ones to gvproxy to make room. */
    void add(Frame frame, VirtioNetHeader header) throws IOException {
        int gso = header.gsoType() & ~VirtioNetHeader.GSO_ECN;
        if (gso == VirtioNetHeader.GSO_NONE
                || gso == VirtioNetHeader.GSO_TCPV4 && largeSegmentsAccepted.getAsBoolean()
                && frame.length() <= LargeSegmentOffer.MAX_FRAME) {
            if (!SuperFrame.completeChecksum(frame.buffer(), frame.length(), header)) {
                checksumDropped.increment();
                return;
            }
            if (gso != VirtioNetHeader.GSO_NONE) {
                superFramesSent.increment();
            }
            queue(frame);
        } else if (gso == VirtioNetHeader.GSO_TCPV4 && superFrame.wrap(frame.buffer(), frame.length(), header.gsoSize())
                && superFrame.maxSegmentLength() <= segments[0].capacity()) {
            superFramesSegmented.increment();
            for (int i = 0, n = superFrame.segmentCount(); i < n; i++) {
                if (segmentsUsed == segments.length || outCount == out.length) {
                    flush();
                }
                Frame s = segments[segmentsUsed++];
                s.setLength(superFrame.write(i, s.buffer()));
                queue(s);
            }
        } else {
            gsoDropped.increment();
        }
    }

    /** Writes what was added since the last flush, in one write where the link allows. */
    void flush() throws IOException {
        if (outCount > 0) {
            host.send(out, outCount);
        }
        outCount = 0;
        segmentsUsed = 0;
    }

    private void queue(Frame f) throws IOException {
        if (outCount == out.length) {
            flush();
        }
        out[outCount++] = f;
    }

    void release() {
        for (Frame f : segments) {
            f.release();
        }
    }
}
