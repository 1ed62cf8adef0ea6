package io.gvproxy.core.nat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * One guest 4-tuple and its connected host socket. A virtual thread reads the host's replies and sends each to
 * the guest from the address the guest wrote to; it also ends the flow when no datagram passed either way for
 * the idle timeout (its read timeout is the time left).
 */
final class UdpFlow extends BoundedFlowTable.Flow<UdpFlowKey> {
    /** The largest UDP payload over IPv4. */
    private static final int MAX_DATAGRAM = 65507;

    final long guestMac;
    private final UdpNat nat;
    private final DatagramChannel channel;
    private final long idleNanos;

    UdpFlow(UdpNat nat, BoundedFlowTable<UdpFlowKey, UdpFlow> table, UdpFlowKey key, long guestMac,
            DatagramChannel channel, long idleNanos) {
        super(table, key);
        this.nat = nat;
        this.guestMac = guestMac;
        this.channel = channel;
        this.idleNanos = idleNanos;
    }

    void start() {
        Thread.ofVirtual().name("nat-udp-" + key).start(this::readReplies);
    }

    /** Sends one guest datagram to the host; false if the socket failed (the flow is then closed). */
    boolean send(ByteBuffer payload) {
        lastActive = System.nanoTime();
        try {
            channel.write(payload);
            return true;
        } catch (PortUnreachableException e) {
            nat.portUnreachable(this);
            return true;
        } catch (IOException e) {
            close();
            return false;
        }
    }

    private void readReplies() {
        byte[] buf = new byte[MAX_DATAGRAM];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        MemorySegment whole = MemorySegment.ofArray(buf);
        try {
            while (!isClosed()) {
                long left = lastActive + idleNanos - System.nanoTime();
                if (left <= 0) {
                    nat.idleClosed.increment();
                    break;
                }
                channel.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                p.setLength(buf.length);
                try {
                    channel.socket().receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (PortUnreachableException e) {
                    nat.portUnreachable(this);
                    continue;
                }
                lastActive = System.nanoTime();
                nat.reply(this, whole.asSlice(0, p.getLength()));
            }
        } catch (IOException | RuntimeException e) {
            // closed under us (eviction, shutdown) or a socket error: the flow ends either way
        }
        close();
    }

    @Override
    void release() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }
}
