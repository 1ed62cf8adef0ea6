package io.gvproxy.core.udp;

import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;

/** Takes validated UDP datagrams from the {@link UdpDispatcher} for one binding. */
@FunctionalInterface
public interface UdpService {
    /**
     * Handles one datagram. The views (and the frame under them) are lent for the call and reused afterwards:
     * copy what must outlive it. May be called from several threads at once.
     *
     * @param ethernet the frame's Ethernet header (its source is the guest's MAC, or a relay's)
     * @param ip       the IPv4 packet, trimmed to its total length
     * @param udp      the datagram, whose length and checksum have been checked
     * @return true if the service took it (answered, queued, or counted it itself); false counts it as refused
     */
    boolean handle(EthernetFrame ethernet, Ipv4Packet ip, UdpDatagram udp);
}
