package io.gvproxy.core.nat;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * One guest 4-tuple and its connected, non-blocking host socket. The NAT's {@link UdpReplyReader} reads the
 * host's replies and ends the flow when no datagram passed either way for the idle timeout.
 */
final class UdpFlow extends BoundedFlowTable.Flow<UdpFlowKey> {
    /** What {@link #send} did with a datagram. */
    enum Sent { SENT, HOST_BUFFER_FULL, FAILED }

    final long guestMac;
    final DatagramChannel channel;
    private final UdpNat nat;

    UdpFlow(UdpNat nat, BoundedFlowTable<UdpFlowKey, UdpFlow> table, UdpFlowKey key, long guestMac,
            DatagramChannel channel) {
        super(table, key);
        this.nat = nat;
        this.guestMac = guestMac;
        this.channel = channel;
    }

    /**
     * Sends one guest datagram to the host without waiting: the caller is the switch's reader, which must not
     * block on one socket. A full send buffer drops the datagram, as a full queue would on a real router. A
     * socket error closes the flow.
     */
    Sent send(ByteBuffer payload) {
        lastActive = System.nanoTime();
        try {
            return payload.hasRemaining() && channel.write(payload) == 0 ? Sent.HOST_BUFFER_FULL : Sent.SENT;
        } catch (PortUnreachableException e) {
            nat.portUnreachable(this);
            return Sent.SENT;
        } catch (IOException e) {
            close();
            return Sent.FAILED;
        }
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
