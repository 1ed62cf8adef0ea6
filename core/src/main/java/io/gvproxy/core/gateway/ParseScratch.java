package io.gvproxy.core.gateway;

import io.gvproxy.core.wire.ArpPacket;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.Ipv4Packet;

/** One thread's reusable header views, so that parsing a frame allocates nothing. */
final class ParseScratch {
    final EthernetFrame ethernet = new EthernetFrame();
    final ArpPacket arp = new ArpPacket();
    final Ipv4Packet ipv4 = new Ipv4Packet();
    final Icmpv4Packet icmp = new Icmpv4Packet();
    boolean busy;
}
