package io.gvproxy.jmh.link;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.ffm.TapLink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Frames per second through one link type: a platform writer thread sends {@code size}-byte frames as fast as the
 * link takes them, and the benchmark thread is the reader: one operation is one frame of that size received, so
 * the score is delivered frames/s (Gbit/s = score * size * 8 / 1e9). A link that drops when its reader lags (tap:
 * the reader tap's queue; dgram: after the send's bounded wait) is measured by what arrives, and the drops are
 * printed at the end of the trial. Frames are valid Ethernet II headers (locally administered MACs, EtherType
 * 0x88b5) so that the bridge between the two taps forwards them; other frames on a tap (none are expected: the
 * script disables IPv6 there) are skipped.
 *
 * <p>Limits: 65,000-byte frames fit every link here: SEQPACKET and DGRAM up to the socket buffer (1 MiB for our
 * dgram link; 212,992 bytes by default), QEMU stream framing up to 128 KiB, tap up to MTU + 14 where a tap's MTU
 * is at most 65,521 (65,535 - 14, so the largest tap frame is 65,535 bytes; the script sets 65,521). Run through
 * {@code jmh/bin/link-bench}, which also runs the socat baseline.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class LinkThroughputBenchmark {
    static final int ETHERTYPE = 0x88b5;
    static final long DST_MAC = 0x02_11_22_33_44_55L;
    static final long SRC_MAC = 0x02_11_22_33_44_66L;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    /** {@code tap} too with {@code -p link=...,tap}, when {@code LINK_BENCH_TAPS} names two bridged taps. */
    @Param({"seqpacket", "dgram", "stream"})
    public String link;

    @Param({"1500", "65000"})
    public int size;

    private final Counters counters = new Counters();
    private LinkPair pair;
    private Frame rx;
    private Thread writer;
    private volatile boolean running;
    private volatile long sent;
    private volatile IOException writerFailure;
    private long skipped;

    @Setup(Level.Trial)
    public void open() throws IOException {
        pair = LinkPair.open(link, counters);
        rx = new FramePool(128 * 1024, 1).acquire();
        Frame tx = new FramePool(size, 1).acquire();
        fill(tx.buffer(), size);
        tx.setLength(size);
        running = true;
        writer = Thread.ofPlatform().name("link-writer").start(() -> write(pair.writer(), tx.data()));
    }

    static void fill(MemorySegment s, int length) {
        for (int i = 0; i < 6; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (DST_MAC >>> (40 - 8 * i)));
            s.set(ValueLayout.JAVA_BYTE, 6 + i, (byte) (SRC_MAC >>> (40 - 8 * i)));
        }
        s.set(U16, 12, (short) ETHERTYPE);
        for (int i = 14; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
    }

    private void write(Link out, MemorySegment frame) {
        long n = 0;
        try {
            while (running) {
                out.send(frame);
                n++;
            }
        } catch (IOException e) {
            if (running) {
                writerFailure = e;
            }
        } finally {
            sent = n;
        }
    }

    @Benchmark
    public int receive() throws IOException {
        Link in = pair.reader();
        for (;;) {
            if (!in.receive(rx)) {
                throw new IOException(link + ": end of stream; writer: " + writerFailure);
            }
            if (rx.length() == size) {
                return size;
            }
            skipped++;
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        running = false;
        pair.close();
        writer.join(10_000);
        StringBuilder drops = new StringBuilder();
        counters.snapshot().forEach((name, value) -> {
            if (value != 0) {
                drops.append(' ').append(name).append('=').append(value);
            }
        });
        if (pair.reader() instanceof TapLink tap) {
            // The kernel drops at the reader tap's queue, outside our counters; the taps outlive a trial, so cumulative.
            drops.append(" reader tap tx_dropped (since creation)=").append(Files.readString(
                    Path.of("/sys/class/net", tap.device().name(), "statistics", "tx_dropped")).strip());
        }
        System.out.printf("%n%s %d: writer sent %d frames; skipped on read %d; counters:%s%n", link, size, sent,
                skipped, drops.length() == 0 ? " none" : drops);
        rx.release();
    }
}
