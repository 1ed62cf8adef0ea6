package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A point-to-point carrier of whole Ethernet II frames (no FCS, no virtio header) between gvproxy and one
 * peer: a VM's socket, a tap device, or an in-memory pipe in tests.
 *
 * <p>One thread receives and one thread sends; the two may run at once. Malformed input (a frame under
 * 14 bytes, over the link's limit) is counted and skipped inside {@link #receive}; a stream that cannot be
 * resynchronised ends with an {@link IOException}.
 */
public interface Link extends Closeable {
    /**
     * Blocks until the next frame is read into {@code into} (its length set).
     *
     * @return false at the end of the stream (the peer went away cleanly)
     */
    boolean receive(Frame into) throws IOException;

    /** Sends one frame. */
    void send(MemorySegment frame) throws IOException;

    /** Sends several frames; links that can batch (writev, sendmmsg) override this. */
    default void send(Frame[] frames, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            send(frames[i].data());
        }
    }

    /** A short human-readable description for logs, such as {@code qemu unix:///tmp/qemu.sock}. */
    String name();

    /** Unblocks a thread in {@link #receive} (which then returns false or throws) and releases the link. */
    @Override
    void close() throws IOException;
}
