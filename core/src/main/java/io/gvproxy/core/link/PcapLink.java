package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A {@link Link} that records every frame it receives and sends to a {@link PcapWriter}, then passes it on.
 * Closing the link closes only the wrapped link: one writer may serve several links, and its owner closes it.
 */
public final class PcapLink implements Link {
    private final Link inner;
    private final PcapWriter pcap;

    public PcapLink(Link inner, PcapWriter pcap) {
        this.inner = inner;
        this.pcap = pcap;
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        if (!inner.receive(into)) {
            return false;
        }
        pcap.write(into.data());
        return true;
    }

    @Override
    public void send(MemorySegment frame) throws IOException {
        pcap.write(frame);
        inner.send(frame);
    }

    @Override
    public void send(Frame[] frames, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            pcap.write(frames[i].data());
        }
        inner.send(frames, count);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
