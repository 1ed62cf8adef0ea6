package io.gvproxy.jmh;

import io.gvproxy.core.wire.Checksum;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the full internet checksum over off-heap buffers of a small frame, a full-MTU frame and a
 * 64 KiB GSO-sized segment.
 *
 * <p>The score is in ops/s; bytes per second is score * size, so GB/s = score * size / 1e9
 * (e.g. 2.0e7 ops/s at size 1500 is 30 GB/s). Run:
 * {@code java -jar jmh/target/benchmarks.jar ChecksumBenchmark -f 1 -wi 2 -i 3 -w 1 -r 2}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChecksumBenchmark {
    @Param({"64", "1500", "65536"})
    public int size;

    /** 1 starts the data at an odd address, as a TCP payload behind an odd-length header part may. */
    @Param({"0", "1"})
    public int misalignment;

    private Arena arena;
    private MemorySegment buffer;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        buffer = arena.allocate(size + 8, 64);
        byte[] random = new byte[size + 8];
        new Random(42).nextBytes(random);
        MemorySegment.copy(random, 0, buffer, ValueLayout.JAVA_BYTE, 0, random.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int checksum() {
        return Checksum.checksum(buffer, misalignment, size);
    }
}
