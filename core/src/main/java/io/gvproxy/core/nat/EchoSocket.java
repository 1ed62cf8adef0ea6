package io.gvproxy.core.nat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A host socket that sends ICMP echo requests and hears their replies and the ICMP errors they cause (an
 * unprivileged "ping socket" on Linux and macOS). One socket serves one guest identifier: the host kernel gives
 * every ping socket an identifier of its own, and the socket maps it back, so callers see their own.
 *
 * <p>{@link #send} does not block for long and may be called from a frame-delivering thread; {@link #receive}
 * blocks and belongs on a platform thread (a native blocking call would hold a virtual thread's carrier).
 * {@link #close} from any thread wakes a blocked {@code receive}.
 */
public interface EchoSocket extends AutoCloseable {
    /**
     * Sends one echo request.
     *
     * @param destination the host-side IPv4 address
     * @param ttl         the IP time to live to send with (the guest's, so that traceroute sees the real hops)
     * @param data        the echo data after the 8-byte ICMP header
     */
    void send(int destination, int identifier, int sequence, int ttl, MemorySegment data) throws IOException;

    /**
     * Waits up to {@code timeoutMillis} for an echo reply or an ICMP error and fills {@code into}.
     *
     * @return false when the time ran out with nothing received
     * @throws java.nio.channels.ClosedChannelException once the socket is closed (also to a blocked caller)
     */
    boolean receive(EchoMessage into, long timeoutMillis) throws IOException;

    /** Idempotent; never throws. */
    @Override
    void close();
}
