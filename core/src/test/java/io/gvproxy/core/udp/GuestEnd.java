package io.gvproxy.core.udp;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.MemoryLink;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link VirtualNetwork} with one in-memory link whose far end the test drives like a guest NIC. */
final class GuestEnd implements AutoCloseable {
    final Counters counters = new Counters();
    final VirtualNetwork network;
    private final MemoryLink guest;
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final Thread reader;

    GuestEnd(NetworkConfig config) {
        network = new VirtualNetwork(config, counters);
        FramePool pool = FramePool.forMtu(Math.max(config.mtu(), 9000));
        MemoryLink[] pair = MemoryLink.pair(64, pool);
        guest = pair[1];
        network.attach(pair[0], p -> { });
        reader = Thread.ofPlatform().daemon().name("guest-end").start(() -> {
            Frame f = pool.acquire();
            try {
                while (guest.receive(f)) {
                    received.add(f.data().toArray(ValueLayout.JAVA_BYTE));
                }
            } catch (IOException e) {
                // The link closed under the reader: the test is over.
            } finally {
                f.release();
            }
        });
    }

    GuestEnd() {
        this(NetworkConfig.defaults());
    }

    void send(byte[] frame) throws IOException {
        guest.send(MemorySegment.ofArray(frame));
    }

    /** The next frame the network sends to the guest, or null after {@code millis}. */
    byte[] next(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Waits until counter {@code name} reaches {@code value} or 5 s pass; returns its value. */
    long awaitCounter(String name, long value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counters.get(name) < value && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return counters.get(name);
    }

    @Override
    public void close() throws InterruptedException {
        guest.close();
        network.close();
        reader.join(5_000);
    }
}
