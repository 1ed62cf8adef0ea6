package io.gvproxy.core.udp;

import io.gvproxy.core.dns.DnsServer;
import io.gvproxy.core.dns.DnsTransport;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;

import java.lang.foreign.MemorySegment;

/**
 * Port 53 at the gateway: each payload goes to the {@link DnsServer}; its response, now for local names or later
 * from a virtual thread for forwarded ones, goes from gateway:53 back to the query's source address, port and
 * MAC (the sender of a query is on the link, so no ARP is needed).
 */
public final class DnsUdpService implements UdpService {
    public static final int PORT = 53;

    private final DnsServer server;
    private final UdpSender sender;
    private final int gatewayIp;
    private final int subnetBroadcast;
    private final Counter badSource;

    public DnsUdpService(DnsServer server, UdpSender sender, int gatewayIp, int subnetBroadcast, Counters counters) {
        this.server = server;
        this.sender = sender;
        this.gatewayIp = gatewayIp;
        this.subnetBroadcast = subnetBroadcast;
        this.badSource = counters.counter("udp.dns.dropped_bad_source");
    }

    @Override
    public boolean handle(EthernetFrame ethernet, Ipv4Packet ip, UdpDatagram udp) {
        int clientIp = ip.sourceAddress();
        int clientPort = udp.sourcePort();
        long clientMac = ethernet.source();
        // An answer to an unspecified, broadcast or multicast source, or to port 0, would reach nobody in particular.
        if (clientIp == 0 || clientIp == -1 || clientIp == subnetBroadcast || (clientIp >>> 28) == 0xE
                || clientPort == 0) {
            badSource.increment();
            return true;
        }
        MemorySegment query = udp.segment().asSlice(udp.payloadOffset(), udp.payloadLength());
        server.handle(query, DnsTransport.UDP, response -> sender.send(clientMac, gatewayIp, PORT, clientIp,
                clientPort, MemorySegment.ofArray(response)));
        return true; // the server counted a dropped query itself
    }
}
