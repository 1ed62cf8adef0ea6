package io.gvproxy.core.nat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One guest echo flow and its host echo socket. A platform thread (the socket's receive blocks natively, which
 * would hold a virtual thread's carrier) waits for replies and errors and hands them to the NAT; it also ends the
 * flow once nothing passed either way for the idle timeout (its wait is the time left).
 */
final class IcmpFlow {
    final IcmpFlowKey key;
    final long guestMac;
    final int hostIp;
    private final IcmpNat nat;
    private final EchoSocket socket;
    private final long idleNanos;
    private final int capacity;
    private final AtomicBoolean closed = new AtomicBoolean();
    volatile long lastActive;

    IcmpFlow(IcmpNat nat, IcmpFlowKey key, long guestMac, int hostIp, EchoSocket socket, long idleNanos,
             int capacity) {
        this.nat = nat;
        this.key = key;
        this.guestMac = guestMac;
        this.hostIp = hostIp;
        this.socket = socket;
        this.idleNanos = idleNanos;
        this.capacity = capacity;
        this.lastActive = System.nanoTime();
    }

    void start() {
        Thread.ofPlatform().daemon().name("nat-icmp-" + key).start(this::readReplies);
    }

    /** False if the host socket refused the request (no route, a full queue). */
    boolean send(int sequence, int ttl, MemorySegment data) {
        lastActive = System.nanoTime();
        try {
            socket.send(hostIp, key.identifier(), sequence, ttl, data);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void readReplies() {
        EchoMessage message = new EchoMessage(capacity);
        try {
            while (!closed.get()) {
                long left = lastActive + idleNanos - System.nanoTime();
                if (left <= 0) {
                    nat.idleClosed.increment();
                    break;
                }
                if (socket.receive(message, Math.max(1, left / 1_000_000))) {
                    lastActive = System.nanoTime();
                    nat.received(this, message);
                }
            }
        } catch (IOException | RuntimeException e) {
            // closed under us (eviction, shutdown) or a socket error: the flow ends either way
        }
        close();
    }

    void close() {
        if (closed.compareAndSet(false, true)) {
            socket.close();
            nat.ended(this);
        }
    }

    boolean isClosed() {
        return closed.get();
    }
}
