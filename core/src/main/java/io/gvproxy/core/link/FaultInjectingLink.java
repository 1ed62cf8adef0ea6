package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * A {@link Link} that damages the frames it <em>sends</em> (received frames pass through untouched), to test
 * that protocols survive a bad network. Per frame, independently: drop it; flip one random bit (in a copy, the
 * caller's frame is never changed); hold it back and emit it after the next frame (one frame held at a time);
 * send it twice.
 *
 * <p>Deterministic: every frame consumes the same five draws from a {@link Random} seeded at construction,
 * whatever happens to it, so a seed and a frame sequence always give the same output. Counters
 * {@code <prefix>.dropped}, {@code .corrupted}, {@code .reordered}, {@code .duplicated}.
 */
public final class FaultInjectingLink implements Link {
    /** Probabilities in [0, 1] of each fault, per sent frame. */
    public record Faults(double drop, double duplicate, double reorder, double corrupt) {
        public static final Faults NONE = new Faults(0, 0, 0, 0);

        public Faults {
            check("drop", drop);
            check("duplicate", duplicate);
            check("reorder", reorder);
            check("corrupt", corrupt);
        }

        private static void check(String what, double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(what + " probability " + p + " outside [0, 1]");
            }
        }
    }

    private final Link inner;
    private final Faults faults;
    private final Random random;
    private final Counter dropped;
    private final Counter corrupted;
    private final Counter reordered;
    private final Counter duplicated;

    private MemorySegment scratch = MemorySegment.NULL;
    private MemorySegment held = MemorySegment.NULL;
    private long heldLength = -1;

    public FaultInjectingLink(Link inner, Faults faults, long seed, Counters counters, String counterPrefix) {
        this.inner = inner;
        this.faults = faults;
        this.random = new Random(seed);
        this.dropped = counters.counter(counterPrefix + ".dropped");
        this.corrupted = counters.counter(counterPrefix + ".corrupted");
        this.reordered = counters.counter(counterPrefix + ".reordered");
        this.duplicated = counters.counter(counterPrefix + ".duplicated");
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        return inner.receive(into);
    }

    @Override
    public synchronized void send(MemorySegment frame) throws IOException {
        boolean drop = random.nextDouble() < faults.drop();
        boolean corrupt = random.nextDouble() < faults.corrupt();
        boolean reorder = random.nextDouble() < faults.reorder();
        boolean duplicate = random.nextDouble() < faults.duplicate();
        int bitDraw = random.nextInt();
        if (drop) {
            dropped.increment();
            return;
        }
        long length = frame.byteSize();
        MemorySegment out = frame;
        if (corrupt && length > 0) {
            scratch = ensure(scratch, length);
            MemorySegment.copy(frame, 0, scratch, 0, length);
            long bit = Math.floorMod(bitDraw, length * 8);
            byte b = scratch.get(ValueLayout.JAVA_BYTE, bit / 8);
            scratch.set(ValueLayout.JAVA_BYTE, bit / 8, (byte) (b ^ (1 << (bit % 8))));
            out = scratch.asSlice(0, length);
            corrupted.increment();
        }
        if (reorder && heldLength < 0) {
            held = ensure(held, length);
            MemorySegment.copy(out, 0, held, 0, length);
            heldLength = length;
            reordered.increment();
            return;
        }
        inner.send(out);
        if (duplicate) {
            inner.send(out);
            duplicated.increment();
        }
        if (heldLength >= 0) {
            flushHeld();
        }
    }

    /** Sends the held-back frame now, if there is one (for example at the end of a test's traffic). */
    public synchronized void flush() throws IOException {
        if (heldLength >= 0) {
            flushHeld();
        }
    }

    private void flushHeld() throws IOException {
        long length = heldLength;
        heldLength = -1;
        inner.send(held.asSlice(0, length));
    }

    private static MemorySegment ensure(MemorySegment seg, long length) {
        return seg.byteSize() >= length ? seg : Arena.ofAuto().allocate(Math.max(length, 2048));
    }

    public long dropped() {
        return dropped.get();
    }

    public long corrupted() {
        return corrupted.get();
    }

    public long reordered() {
        return reordered.get();
    }

    public long duplicated() {
        return duplicated.get();
    }

    @Override
    public String name() {
        return inner.name();
    }

    /** Closes the wrapped link; a frame still held back is lost, as a real network would lose it. */
    @Override
    public void close() throws IOException {
        inner.close();
    }
}
