package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Link} over a byte stream with length-prefixed frames ({@link StreamFraming}): a unix or TCP
 * {@code SocketChannel} (which is both channels), or a pair of pipes such as stdin/stdout.
 *
 * <p>Receive reads as much as the stream has into one 256 KiB direct buffer and hands out the buffered frames
 * one by one, so a burst of small frames costs one read; each frame is copied once, into the caller's
 * {@link Frame}. Drops, each counted under {@code <prefix>.<reason>}:
 * <ul>
 *   <li>{@code frames_too_small}: under 14 bytes (no Ethernet header); skipped.</li>
 *   <li>{@code frames_too_large}: longer than the caller's frame but within 128 KiB; read, discarded.</li>
 *   <li>{@code length_invalid}: a length over 128 KiB; the stream cannot be resynchronised, so
 *       {@link #receive} throws and the caller closes the link.</li>
 *   <li>{@code truncated_at_eof}: the stream ended inside a frame; {@link #receive} reports end of stream.</li>
 *   <li>{@code send_too_large}: a frame the framing cannot carry (over 65535 bytes with HyperKit framing,
 *       over 128 KiB with QEMU framing); not sent, so the stream stays in sync.</li>
 * </ul>
 * A write failing with ENOBUFS is retried (counted in {@code send_enobufs_retries}), as upstream does; any
 * other write error is thrown and the caller disconnects the peer.
 *
 * <p>Send writes the prefix and the frame with one write from a per-link direct buffer, looping until all
 * is written; {@link #send(Frame[], int)} packs as many frames as fit into one write.
 *
 * <p>One thread may receive while another sends. The channels must be in blocking mode.
 */
public final class StreamLink implements Link, BufferedReceive {
    /** Receive and send buffer size; above any frame plus prefix, so a whole frame always fits. */
    static final int BUFFER_SIZE = 256 * 1024;
    /** An Ethernet II header: anything shorter is not a frame. */
    static final int MIN_FRAME = 14;
    /** strerror(ENOBUFS), the only way NIO reports that errno. */
    static final String NO_BUFFER_SPACE = "No buffer space available";

    private final String name;
    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final StreamFraming framing;
    private final int header;
    private final LinkCounters counters;
    private final Counter tooSmall;
    private final Counter tooLarge;
    private final Counter lengthInvalid;
    private final Counter truncatedAtEof;
    private final Counter sendTooLarge;
    private final Counter noBufferRetries;

    private final ByteBuffer recvBuf = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final MemorySegment recvSeg = MemorySegment.ofBuffer(recvBuf);
    /** Buffered, unparsed bytes are {@code [rpos, wpos)}; touched only by the receiving thread. */
    private int rpos;
    private int wpos;

    private final ReentrantLock sendLock = new ReentrantLock();
    /** Allocated by the first send (under {@link #sendLock}): many links only ever receive, or never send. */
    private ByteBuffer sendBuf;
    private MemorySegment sendSeg;

    private volatile boolean closed;

    /** Counters go under {@code link.<name>}. */
    public StreamLink(String name, ReadableByteChannel in, WritableByteChannel out, StreamFraming framing,
                      Counters counters) {
        this(name, in, out, framing, new LinkCounters(counters, "link." + name));
    }

    public StreamLink(String name, ReadableByteChannel in, WritableByteChannel out, StreamFraming framing,
                      LinkCounters counters) {
        requireBlocking(in);
        requireBlocking(out);
        this.name = name;
        this.in = in;
        this.out = out;
        this.framing = framing;
        this.header = framing.headerSize();
        this.counters = counters;
        this.tooSmall = counters.drop("frames_too_small");
        this.tooLarge = counters.drop("frames_too_large");
        this.lengthInvalid = counters.drop("length_invalid");
        this.truncatedAtEof = counters.drop("truncated_at_eof");
        this.sendTooLarge = counters.drop("send_too_large");
        this.noBufferRetries = counters.drop("send_enobufs_retries");
    }

    /** A link over one bidirectional channel such as a connected {@code SocketChannel}. */
    public static StreamLink of(String name, ByteChannel channel, StreamFraming framing, Counters counters) {
        return new StreamLink(name, channel, channel, framing, counters);
    }

    private static void requireBlocking(Object channel) {
        // A non-blocking channel would make the read and write loops spin.
        if (channel instanceof SelectableChannel sc && !sc.isBlocking()) {
            throw new IllegalArgumentException("channel must be in blocking mode: " + channel);
        }
    }

    public StreamFraming framing() {
        return framing;
    }

    public LinkCounters counters() {
        return counters;
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        if (closed) {
            return false;
        }
        try {
            while (true) {
                if (!fill(header)) {
                    return endOfStream();
                }
                int length = framing.readLength(recvSeg, rpos);
                if (length > StreamFraming.MAX_RECEIVE_LENGTH) {
                    lengthInvalid.increment();
                    throw new IOException(name + ": frame length " + length + " exceeds "
                            + StreamFraming.MAX_RECEIVE_LENGTH + "; the stream cannot be resynchronised");
                }
                if (!fill(header + length)) {
                    return endOfStream();
                }
                int start = rpos + header;
                rpos = start + length;
                if (length < MIN_FRAME) {
                    tooSmall.increment();
                } else if (length > into.capacity()) {
                    tooLarge.increment();
                } else {
                    MemorySegment.copy(recvSeg, start, into.buffer(), 0, length);
                    into.setLength(length);
                    counters.received(length);
                    return true;
                }
            }
        } catch (ClosedChannelException e) {
            if (closed) {
                return false;
            }
            throw e;
        }
    }

    /** Touched by the receiving thread only, like the buffer it inspects. */
    @Override
    public boolean hasBufferedFrame() {
        int buffered = wpos - rpos;
        return buffered >= header && buffered >= header + framing.readLength(recvSeg, rpos);
    }

    /** Makes at least {@code n} unparsed bytes available; false at end of stream. */
    private boolean fill(int n) throws IOException {
        if (wpos - rpos >= n) {
            return true;
        }
        if (rpos + n > BUFFER_SIZE) {
            int buffered = wpos - rpos;
            MemorySegment.copy(recvSeg, rpos, recvSeg, 0, buffered);
            rpos = 0;
            wpos = buffered;
        }
        while (wpos - rpos < n) {
            recvBuf.limit(BUFFER_SIZE).position(wpos);
            int r = in.read(recvBuf);
            if (r < 0) {
                return false;
            }
            wpos += r;
        }
        return true;
    }

    private boolean endOfStream() {
        if (wpos > rpos) {
            truncatedAtEof.increment();
        }
        rpos = 0;
        wpos = 0;
        return false;
    }

    @Override
    public void send(MemorySegment frame) throws IOException {
        long length = frame.byteSize();
        if (length > framing.maxSendLength()) {
            sendTooLarge.increment();
            return;
        }
        sendLock.lock();
        try {
            ensureSendBuffer();
            framing.writeLength(sendSeg, 0, (int) length);
            MemorySegment.copy(frame, 0, sendSeg, header, length);
            writeFully(header + (int) length);
            counters.sent((int) length);
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public void send(Frame[] frames, int count) throws IOException {
        sendLock.lock();
        try {
            ensureSendBuffer();
            int used = 0;
            int pendingFrames = 0;
            long pendingBytes = 0;
            for (int i = 0; i < count; i++) {
                int length = frames[i].length();
                if (length > framing.maxSendLength()) {
                    sendTooLarge.increment();
                    continue;
                }
                if (used + header + length > BUFFER_SIZE) {
                    writeFully(used);
                    counters.framesOut.add(pendingFrames);
                    counters.bytesOut.add(pendingBytes);
                    used = 0;
                    pendingFrames = 0;
                    pendingBytes = 0;
                }
                framing.writeLength(sendSeg, used, length);
                MemorySegment.copy(frames[i].buffer(), 0, sendSeg, used + header, length);
                used += header + length;
                pendingFrames++;
                pendingBytes += length;
            }
            if (used > 0) {
                writeFully(used);
                counters.framesOut.add(pendingFrames);
                counters.bytesOut.add(pendingBytes);
            }
        } finally {
            sendLock.unlock();
        }
    }

    private void ensureSendBuffer() {
        if (sendBuf == null) {
            sendBuf = ByteBuffer.allocateDirect(BUFFER_SIZE);
            sendSeg = MemorySegment.ofBuffer(sendBuf);
        }
    }

    private void writeFully(int n) throws IOException {
        sendBuf.limit(n).position(0);
        int retries = 0;
        while (sendBuf.hasRemaining()) {
            try {
                out.write(sendBuf);
            } catch (IOException e) {
                // ENOBUFS (upstream issue #367, macOS): the kernel is short of buffers for a moment and the peer
                // is still there. Upstream retries in a busy loop; we back off (1, 2, 4 .. 16 ms) and give up after
                // about 2 s so that a wedged kernel cannot hold this thread forever.
                if (closed || !NO_BUFFER_SPACE.equals(e.getMessage()) || retries >= MAX_ENOBUFS_RETRIES) {
                    throw e;
                }
                noBufferRetries.increment();
                sleepQuietly(1L << Math.min(retries, 4));
                retries++;
            }
        }
    }

    /** With the backoff above, about two seconds of ENOBUFS before the link is given up. */
    static final int MAX_ENOBUFS_RETRIES = 130;

    private static void sleepQuietly(long millis) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for socket buffers");
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Closing the channels wakes a thread blocked in {@link #receive}, which then returns false. */
    @Override
    public void close() throws IOException {
        closed = true;
        try {
            in.close();
        } finally {
            if (out != in) {
                out.close();
            }
        }
    }
}
