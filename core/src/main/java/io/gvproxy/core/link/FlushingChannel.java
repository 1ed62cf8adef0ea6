package io.gvproxy.core.link;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;

/**
 * An output stream as a channel that flushes after every write. A child process's stdin is a buffered stream:
 * a {@link StreamLink} over it without a flush per write would leave frames waiting in the buffer.
 */
public final class FlushingChannel implements WritableByteChannel {
    private final OutputStream stream;
    private final WritableByteChannel channel;

    public FlushingChannel(OutputStream stream) {
        this.stream = stream;
        this.channel = Channels.newChannel(stream);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = channel.write(src);
        stream.flush();
        return n;
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
