package io.gvproxy.core.tcpip;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.tcp.TcpSegment;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A guest's SYN held until its {@link SynListener} decides: {@link #accept()} answers with a SYN-ACK and yields
 * the stream, {@link #reject()} answers with a reset. Either may be called from any thread, once; the first
 * answer (or the expiry) wins. While the offer waits, the guest's retransmitted SYNs are dropped.
 */
public final class SynOffer {
    private static final int PENDING = 0;
    private static final int ACCEPTED = 1;
    private static final int REJECTED = 2;
    private static final int EXPIRED = 3;
    private static final MemorySegment NO_PAYLOAD = MemorySegment.ofArray(new byte[0]);

    final TcpStack stack;
    final int localIp;
    final int localPort;
    final int remoteIp;
    final int remotePort;
    final long remoteMac;
    /** A private copy of the SYN's header and options (its payload is not kept). */
    final TcpSegment syn = new TcpSegment();
    private final AtomicInteger state = new AtomicInteger(PENDING);
    volatile ScheduledFuture<?> expiry;

    SynOffer(TcpStack stack, int localIp, int localPort, int remoteIp, int remotePort, long remoteMac,
             TcpSegment received) {
        this.stack = stack;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.remoteMac = remoteMac;
        // data on a SYN is rare and the engine would only queue it; the guest resends what is not acknowledged
        syn.copyFrom(received).payload(NO_PAYLOAD);
    }

    /** The address the guest dialled (any address: the NAT decides what it means). */
    public int localAddress() {
        return localIp;
    }

    public int localPort() {
        return localPort;
    }

    /** The guest's address. */
    public int remoteAddress() {
        return remoteIp;
    }

    public int remotePort() {
        return remotePort;
    }

    /** Whether no answer has been given and the offer has not expired. */
    public boolean isPending() {
        return state.get() == PENDING;
    }

    /**
     * Completes the guest's handshake. Empty when the offer was already answered or expired (the guest will
     * retransmit its SYN and be offered again) or the stack is closed.
     */
    public Optional<TcpStream> accept() {
        if (!state.compareAndSet(PENDING, ACCEPTED)) {
            return Optional.empty();
        }
        cancelExpiry();
        return Optional.ofNullable(stack.acceptOffer(this)).map(TcpStream::new);
    }

    /** Refuses the connection with a reset (the guest sees "connection refused"). False if already answered. */
    public boolean reject() {
        if (!state.compareAndSet(PENDING, REJECTED)) {
            return false;
        }
        cancelExpiry();
        stack.rejectOffer(this, true);
        return true;
    }

    /** Drops the offer silently when the listener never answered. */
    void expire() {
        if (state.compareAndSet(PENDING, EXPIRED)) {
            stack.rejectOffer(this, false);
        }
    }

    private void cancelExpiry() {
        ScheduledFuture<?> f = expiry;
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "SynOffer[" + Ipv4.toString(remoteIp) + ":" + remotePort + " -> " + Ipv4.toString(localIp) + ":"
                + localPort + "]";
    }
}
