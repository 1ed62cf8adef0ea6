package io.gvproxy.core.nat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;

/**
 * Reads the host's replies of every UDP flow of one NAT on one {@link NatPoller} thread, into one buffer. A blocked
 * reader per flow would hold a buffer for the largest datagram each: 64 KiB times the flow table's 1,024 entries,
 * which a guest spraying datagrams could make the heap hold. Between waits the same thread closes the flows that
 * stayed idle for the timeout, on a sweep every quarter of it (at most a second late).
 */
final class UdpReplyReader implements AutoCloseable {
    /** The largest UDP payload over IPv4. */
    private static final int MAX_DATAGRAM = 65507;
    /** Datagrams read from one flow per wake-up, so that a busy flow does not starve the others. */
    private static final int BURST = 64;
    private static final long MIN_SWEEP_NANOS = 10_000_000L;
    private static final long MAX_SWEEP_NANOS = 1_000_000_000L;

    private final UdpNat nat;
    private final BoundedFlowTable<UdpFlowKey, UdpFlow> flows;
    private final long idleNanos;
    private final long sweepNanos;
    /** Used on the poller thread only, as is {@link #nextSweep}. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final MemorySegment whole = MemorySegment.ofBuffer(buffer);
    private long nextSweep;
    private NatPoller poller;
    private boolean closed;

    UdpReplyReader(UdpNat nat, BoundedFlowTable<UdpFlowKey, UdpFlow> flows, long idleNanos) {
        this.nat = nat;
        this.flows = flows;
        this.idleNanos = idleNanos;
        this.sweepNanos = Math.clamp(idleNanos / 4, MIN_SWEEP_NANOS, MAX_SWEEP_NANOS);
    }

    /**
     * Starts reading {@code flow}'s replies; its channel must be non-blocking. False if the reader could not start
     * (no selector), is closed, or the flow's channel closed already; the caller then closes the flow.
     */
    boolean add(UdpFlow flow) {
        NatPoller p;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (poller == null) {
                try {
                    poller = new NatPoller("nat-udp-replies", this::sweep);
                } catch (IOException e) {
                    return false;
                }
            }
            p = poller;
        }
        try {
            p.watch(flow.channel, SelectionKey.OP_READ, ops -> drain(flow));
            return true;
        } catch (IOException | ClosedSelectorException e) {
            return false;
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

    /** The poller's deadline step: sweeps when due; the nanoseconds until the next sweep. */
    private long sweep() {
        long now = System.nanoTime();
        if (now - nextSweep >= 0) {
            nat.idleClosed.add(flows.closeIdle(now, idleNanos));
            nextSweep = now + sweepNanos;
        }
        return nextSweep - now;
    }

    /** Stops the thread; the NAT closes the flows. */
    @Override
    public void close() {
        NatPoller p;
        synchronized (this) {
            closed = true;
            p = poller;
        }
        if (p != null) {
            p.close();
        }
    }
}
