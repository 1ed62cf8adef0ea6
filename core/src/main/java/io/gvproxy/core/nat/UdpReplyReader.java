package io.gvproxy.core.nat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reads the host's replies of every UDP flow of one NAT on one platform thread, through a selector, into one
 * buffer. A blocked reader per flow would hold a buffer for the largest datagram each: 64 KiB times the flow
 * table's 1,024 entries, which a guest spraying datagrams could make the heap hold. The same thread closes the
 * flows that stayed idle for the timeout, on a sweep every quarter of it (at most a second late).
 */
final class UdpReplyReader implements AutoCloseable {
    /** The largest UDP payload over IPv4. */
    private static final int MAX_DATAGRAM = 65507;
    /** Datagrams read from one flow per wake-up, so that a busy flow does not starve the others. */
    private static final int BURST = 64;
    private static final long MIN_SWEEP_NANOS = 10_000_000L;
    private static final long MAX_SWEEP_NANOS = 1_000_000_000L;

    private final UdpNat nat;
    private final long idleNanos;
    private final long sweepNanos;
    private final Queue<UdpFlow> pending = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final MemorySegment whole = MemorySegment.ofBuffer(buffer);
    private Selector selector;
    private volatile boolean closed;

    UdpReplyReader(UdpNat nat, long idleNanos) {
        this.nat = nat;
        this.idleNanos = idleNanos;
        this.sweepNanos = Math.clamp(idleNanos / 4, MIN_SWEEP_NANOS, MAX_SWEEP_NANOS);
    }

    /**
     * Starts reading {@code flow}'s replies; its channel must be non-blocking. False if the reader could not
     * start (no selector) or is closed; the caller then closes the flow.
     */
    boolean add(UdpFlow flow) {
        Selector s;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (selector == null) {
                try {
                    selector = Selector.open();
                } catch (IOException e) {
                    return false;
                }
                Selector started = selector;
                Thread.ofPlatform().daemon().name("nat-udp-replies").start(() -> run(started));
            }
            s = selector;
            pending.add(flow);
        }
        s.wakeup();
        return true;
    }

    private void run(Selector s) {
        long nextSweep = System.nanoTime() + sweepNanos;
        try {
            while (!closed) {
                long wait = nextSweep - System.nanoTime();
                if (wait > 0) {
                    s.select(Math.max(1, wait / 1_000_000));
                }
                registerPending(s);
                for (SelectionKey key : s.selectedKeys()) {
                    drain((UdpFlow) key.attachment());
                }
                s.selectedKeys().clear();
                long now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    sweep(s, now);
                    nextSweep = now + sweepNanos;
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            // the selector failed: the flows it served end below, new ones are refused
        } finally {
            synchronized (this) {
                closed = true;
            }
            closeAll(s);
            try {
                s.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }

    private void registerPending(Selector s) {
        for (UdpFlow f = pending.poll(); f != null; f = pending.poll()) {
            try {
                f.channel.register(s, SelectionKey.OP_READ, f);
            } catch (ClosedChannelException e) {
                // evicted or shut down before it got here
            }
        }
    }

    private void drain(UdpFlow flow) {
        for (int i = 0; i < BURST; i++) {
            buffer.clear();
            try {
                if (flow.channel.receive(buffer) == null) {
                    return;
                }
            } catch (PortUnreachableException e) {
                nat.portUnreachable(flow);
                continue;
            } catch (IOException e) {
                flow.close();
                return;
            }
            flow.lastActive = System.nanoTime();
            nat.reply(flow, whole.asSlice(0, buffer.position()));
        }
    }

    private void sweep(Selector s, long now) {
        for (SelectionKey key : s.keys()) {
            UdpFlow f = (UdpFlow) key.attachment();
            if (!f.isClosed() && now - f.lastActive >= idleNanos) {
                nat.idleClosed.increment();
                f.close();
            }
        }
    }

    private void closeAll(Selector s) {
        for (UdpFlow f = pending.poll(); f != null; f = pending.poll()) {
            f.close();
        }
        try {
            for (SelectionKey key : s.keys()) {
                ((UdpFlow) key.attachment()).close();
            }
        } catch (ClosedSelectorException e) {
            // closed already: its channels were closed with the flows that held them
        }
    }

    /** Stops the thread; the NAT closes the flows. */
    @Override
    public void close() {
        Selector s;
        synchronized (this) {
            closed = true;
            s = selector;
        }
        if (s != null) {
            s.wakeup();
        }
    }
}
