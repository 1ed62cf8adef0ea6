package io.gvproxy.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** The channels -listen-stdio uses; the process's own stdin/stdout, or pipes in tests. */
public record StdioChannels(ReadableByteChannel in, WritableByteChannel out) {
    /** Raw file-descriptor channels: System.out is not used, so no buffered text can interleave with frames. */
    public static StdioChannels process() {
        return new StdioChannels(new FileInputStream(FileDescriptor.in).getChannel(),
                new FileOutputStream(FileDescriptor.out).getChannel());
    }
}
