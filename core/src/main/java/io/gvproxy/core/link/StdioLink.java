package io.gvproxy.core.link;

import io.gvproxy.core.stats.Counters;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;

/**
 * {@code -listen-stdio}: the VM's frames arrive on gvproxy's own stdin and leave on its stdout, with
 * {@link StreamFraming#HYPERKIT} framing and no handshake. Nothing else may write to stdout afterwards
 * (logs go to stderr or a file), or the stream loses synchronisation.
 */
public final class StdioLink {
    public static final String NAME = "stdio";

    private StdioLink() {
    }

    /** A link over file descriptors 0 and 1; counters go under {@code link.stdio}. Closing it closes both. */
    public static StreamLink open(Counters counters) {
        // FileChannels, not System.in/out: no extra buffering layer, and close() interrupts a blocked read.
        return new StreamLink(NAME,
                new FileInputStream(FileDescriptor.in).getChannel(),
                new FileOutputStream(FileDescriptor.out).getChannel(),
                StreamFraming.HYPERKIT, counters);
    }
}
