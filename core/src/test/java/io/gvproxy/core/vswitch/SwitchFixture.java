package io.gvproxy.core.vswitch;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A switch with a recording gateway and helpers to inject frames and observe where they went. */
final class SwitchFixture implements AutoCloseable {
    static final long WAIT_MS = 5000;
    static final MacAddress GATEWAY = MacAddress.parse("5a:94:ef:e4:0c:dd");
    private static final short ETHERTYPE_IPV4 = 0x0800;
    /** Group-bit source: never learned, so sync frames leave the CAM alone. */
    private static final MacAddress SYNC_SOURCE = new MacAddress(0x0300_0000_FFFFL);

    final Counters counters = new Counters();
    final FramePool pool = new FramePool(2048, 4096);
    final VirtualSwitch sw;
    /** Copies of every frame the gateway was lent. */
    final LinkedBlockingQueue<byte[]> gatewayFrames = new LinkedBlockingQueue<>();
    final List<SwitchPort> detached = new CopyOnWriteArrayList<>();
    final List<TestLink> links = new ArrayList<>();
    private int syncSeq;

    SwitchFixture(int queueDepth) {
        sw = new VirtualSwitch(counters, queueDepth, VirtualSwitch.DEFAULT_CAM_CAPACITY);
        sw.attachGateway(GATEWAY, f -> gatewayFrames.add(f.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
    }

    SwitchFixture() {
        this(VirtualSwitch.DEFAULT_QUEUE_DEPTH);
    }

    TestLink attach(String name) {
        TestLink link = new TestLink(name);
        links.add(link);
        sw.attach(link, pool, detached::add);
        return link;
    }

    SwitchPort port(TestLink link) {
        for (SwitchPort p : sw.ports()) {
            if (p.link() == link) {
                return p;
            }
        }
        throw new AssertionError("no port for " + link.name());
    }

    static MacAddress mac(int n) {
        return new MacAddress(0x0200_0000_0000L | n);
    }

    /** An IPv4-typed frame with a payload that names it, so that frames can be told apart. */
    static byte[] frame(MacAddress dst, MacAddress src, String tag) {
        byte[] payload = tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] b = new byte[14 + Math.max(46, payload.length)];
        MemorySegment seg = MemorySegment.ofArray(b);
        dst.writeTo(seg, 0);
        src.writeTo(seg, 6);
        b[12] = (byte) (ETHERTYPE_IPV4 >> 8);
        b[13] = (byte) ETHERTYPE_IPV4;
        System.arraycopy(payload, 0, b, 14, payload.length);
        return b;
    }

    static void assertFrame(byte[] expected, byte[] actual, String where) {
        assertNotNull(actual, where + ": no frame within " + WAIT_MS + " ms");
        if (!Arrays.equals(expected, actual)) {
            HexFormat hex = HexFormat.of();
            fail(where + ": expected " + hex.formatHex(expected) + " but got " + hex.formatHex(actual));
        }
    }

    static void expect(TestLink at, byte[] frame) throws InterruptedException {
        assertFrame(frame, at.pollSent(WAIT_MS), at.name());
    }

    /** Waits until the gateway was lent {@code frame}, skipping other frames it got. */
    void expectAtGateway(byte[] frame) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (true) {
            long left = deadline - System.nanoTime();
            byte[] got = gatewayFrames.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (got == null) {
                fail("gateway did not get the frame within " + WAIT_MS + " ms");
            }
            if (Arrays.equals(frame, got)) {
                return;
            }
        }
    }

    /**
     * Asserts that none of {@code targets} got a frame beyond those already polled, from anything
     * {@code sources} injected so far. Deterministic, with no negative wait: each source's reader handles
     * frames in order, so once a sync frame from each source reached the gateway, every earlier frame from it
     * was already queued; a marker broadcast afterwards through the gateway output then lands behind any
     * such frame in each target's FIFO queue.
     */
    void assertNothingMore(List<TestLink> sources, List<TestLink> targets) throws InterruptedException {
        for (TestLink s : sources) {
            byte[] sync = frame(GATEWAY, SYNC_SOURCE, "sync " + (syncSeq++));
            s.inject(sync);
            expectAtGateway(sync);
        }
        byte[] marker = frame(MacAddress.BROADCAST, GATEWAY, "marker " + (syncSeq++));
        Frame f = pool.copyOf(MemorySegment.ofArray(marker));
        try {
            sw.gatewayOutput().accept(f);
        } finally {
            f.release();
        }
        for (TestLink t : targets) {
            assertFrame(marker, t.pollSent(WAIT_MS), t.name() + " (expected nothing before the marker)");
        }
    }

    /** Polls until {@code value} reaches {@code expected} or the wait ends. */
    static void awaitValue(long expected, LongSupplier value, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        long v;
        while ((v = value.getAsLong()) != expected && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(expected, v, what);
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    @Override
    public void close() {
        sw.close();
    }
}
