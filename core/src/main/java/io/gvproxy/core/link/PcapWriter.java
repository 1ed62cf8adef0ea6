package io.gvproxy.core.link;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Writes Ethernet frames to a classic pcap file (LINKTYPE_ETHERNET, microsecond timestamps, little-endian,
 * snaplen {@value #SNAPLEN}). Like upstream, an existing file is deleted and a new one created.
 *
 * <p>Thread-safe: every link's threads may write. Records collect in a buffer flushed when full, every
 * {@code flushInterval} by a daemon thread (so a capture of a quiet link is readable while gvproxy runs),
 * and on {@link #close}. Capture is diagnostics, so a failing disk must not take a VM link down: the first
 * write error stops the capture, later records are counted in {@link #droppedRecords()}, and the error is
 * rethrown by {@link #close}.
 */
public final class PcapWriter implements AutoCloseable {
    public static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int SNAPLEN = 262144;
    public static final int GLOBAL_HEADER = 24;
    public static final int RECORD_HEADER = 16;
    static final int BUFFER_SIZE = 256 * 1024;

    private final FileChannel file;
    private final InstantSource clock;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment seg = MemorySegment.ofBuffer(buf);
    private final Thread flusher;
    private IOException failure;
    private long records;
    private long dropped;
    private boolean closed;

    private PcapWriter(FileChannel file, InstantSource clock, Duration flushInterval) {
        this.file = file;
        this.clock = clock;
        buf.putInt(MAGIC_MICROSECONDS).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        long intervalMillis = Math.max(1, flushInterval.toMillis());
        this.flusher = Thread.ofPlatform().daemon().name("pcap-flush " + file).unstarted(() -> flushLoop(intervalMillis));
    }

    /** Deletes {@code path} if present, creates it and writes the pcap header; flushes at least every second. */
    public static PcapWriter create(Path path) throws IOException {
        return create(path, InstantSource.system(), Duration.ofSeconds(1));
    }

    public static PcapWriter create(Path path, InstantSource clock, Duration flushInterval) throws IOException {
        Files.deleteIfExists(path);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        PcapWriter w = new PcapWriter(ch, clock, flushInterval);
        w.flush();
        w.flusher.start();
        return w;
    }

    /** Appends one record stamped with the clock's current time; at most {@value #SNAPLEN} bytes are kept. */
    public void write(MemorySegment frame) {
        Instant now = clock.instant();
        write(frame, now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
    }

    /** Appends one record with an explicit time in microseconds since the epoch. */
    public synchronized void write(MemorySegment frame, long epochMicros) {
        if (closed || failure != null) {
            dropped++;
            return;
        }
        long origLen = frame.byteSize();
        int inclLen = (int) Math.min(origLen, SNAPLEN);
        try {
            if (buf.remaining() < RECORD_HEADER + inclLen) {
                flushLocked();
            }
            buf.putInt((int) (epochMicros / 1_000_000L)).putInt((int) (epochMicros % 1_000_000L))
                    .putInt(inclLen).putInt((int) Math.min(origLen, 0xFFFF_FFFFL));
            if (inclLen <= buf.remaining()) {
                MemorySegment.copy(frame, 0, seg, buf.position(), inclLen);
                buf.position(buf.position() + inclLen);
            } else {
                // Only a frame near SNAPLEN overflows the buffer: write it straight from its own memory.
                flushLocked();
                ByteBuffer direct = frame.asSlice(0, inclLen).asByteBuffer();
                while (direct.hasRemaining()) {
                    file.write(direct);
                }
            }
            records++;
        } catch (IOException e) {
            failure = e;
            dropped++;
        }
    }

    /** Writes buffered records to the file. */
    public synchronized void flush() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            return;
        }
        try {
            flushLocked();
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    private void flushLocked() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            file.write(buf);
        }
        buf.clear();
    }

    private void flushLoop(long intervalMillis) {
        while (true) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (failure == null && buf.position() > 0) {
                    try {
                        flushLocked();
                    } catch (IOException e) {
                        failure = e;
                    }
                }
            }
        }
    }

    /** Records written (buffered or on disk). */
    public synchronized long records() {
        return records;
    }

    /** Records lost after a write error or after close. */
    public synchronized long droppedRecords() {
        return dropped;
    }

    /** Flushes, stops the flusher and closes the file; throws the first write error if there was one. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                if (failure == null) {
                    flushLocked();
                }
            } catch (IOException e) {
                failure = e;
            } finally {
                closed = true;
                file.close();
            }
        }
        flusher.interrupt();
        if (failure != null) {
            throw failure;
        }
    }
}
