package io.gvproxy.core.gateway;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Ipv4Packet;

/**
 * Takes IPv4 packets of one protocol from the {@link Gateway}: the extension point for DHCP, DNS and the NAT.
 *
 * <p>The gateway calls it for every valid, unfragmented packet of the registered protocol whatever its
 * destination address (the gateway IP, a virtual IP, broadcast, or a remote host the NAT should reach), except
 * ICMP echo requests to the gateway IP, which the gateway answers itself. The packet has passed the gateway's
 * IPv4 checks; the transport header has not been looked at.
 */
@FunctionalInterface
public interface Ipv4Handler {
    /**
     * Handles one packet. The frame and both views are lent for the call only and the views are reused for
     * the next frame: retain the frame, or copy what is needed, before returning. Replies go out through the
     * handler's own {@code FrameSink}.
     *
     * @param frame    the whole Ethernet frame
     * @param ethernet view of its Ethernet header
     * @param ip       view of the IPv4 packet, trimmed to its total length
     * @return true if the handler took the packet (answered, queued, or counted it itself); false leaves it to
     * the gateway, which counts it as unclaimed and drops it
     */
    boolean handle(Frame frame, EthernetFrame ethernet, Ipv4Packet ip);
}
