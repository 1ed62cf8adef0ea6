package io.gvproxy.core.link;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.util.function.IntSupplier;

/**
 * A blocking byte channel under the test's control: reads return {@code input} in chunks whose sizes come from
 * {@code readChunk} (then EOF); writes accept at most {@code writeChunk} bytes per call and are recorded.
 */
final class ScriptedChannel implements ByteChannel {
    private final byte[] input;
    private final IntSupplier readChunk;
    private final int writeChunk;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private int pos;
    private int reads;
    private int writes;
    private boolean open = true;

    ScriptedChannel(byte[] input, IntSupplier readChunk, int writeChunk) {
        this.input = input;
        this.readChunk = readChunk;
        this.writeChunk = writeChunk;
    }

    static ScriptedChannel of(byte[] input) {
        return new ScriptedChannel(input, () -> Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    static ScriptedChannel sink(int writeChunk) {
        return new ScriptedChannel(new byte[0], () -> Integer.MAX_VALUE, writeChunk);
    }

    @Override
    public int read(ByteBuffer dst) throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
        reads++;
        if (pos >= input.length) {
            return -1;
        }
        int n = Math.min(Math.min(dst.remaining(), input.length - pos), Math.max(1, readChunk.getAsInt()));
        dst.put(input, pos, n);
        pos += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
        writes++;
        int n = Math.min(src.remaining(), writeChunk);
        byte[] b = new byte[n];
        src.get(b);
        written.write(b, 0, n);
        return n;
    }

    byte[] written() {
        return written.toByteArray();
    }

    int reads() {
        return reads;
    }

    int writes() {
        return writes;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
