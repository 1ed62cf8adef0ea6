package io.gvproxy.core.udp;

import io.gvproxy.core.dhcp.DhcpReply;
import io.gvproxy.core.dhcp.DhcpServer;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Port 67 at the gateway (by unicast and broadcast): passes each payload to the {@link DhcpServer} and sends
 * its reply from gateway:67 the way {@link DhcpReply.Delivery} says. A unicast reply goes straight to the
 * client's hardware address, never through ARP, since the client cannot answer ARP for an address it does not
 * have yet. A reply through a relay goes to the Ethernet source of the request: the relay sent it to us.
 */
public final class DhcpUdpService implements UdpService {
    private static final int LIMITED_BROADCAST = -1;

    private final DhcpServer server;
    private final UdpSender sender;
    private final int gatewayIp;
    private final LongSupplier clockMillis;

    /** @param clockMillis the time lease expiries count from, in milliseconds */
    public DhcpUdpService(DhcpServer server, UdpSender sender, int gatewayIp, LongSupplier clockMillis) {
        this.server = server;
        this.sender = sender;
        this.gatewayIp = gatewayIp;
        this.clockMillis = clockMillis;
    }

    @Override
    public boolean handle(EthernetFrame ethernet, Ipv4Packet ip, UdpDatagram udp) {
        MemorySegment payload = udp.segment().asSlice(udp.payloadOffset(), udp.payloadLength());
        Optional<DhcpReply> reply = server.handle(payload, clockMillis.getAsLong());
        if (reply.isEmpty()) {
            return true; // the server counted why
        }
        DhcpReply r = reply.get();
        long mac;
        int ipTo;
        switch (r.delivery()) {
            case BROADCAST -> {
                mac = MacAddress.BROADCAST.bits();
                ipTo = LIMITED_BROADCAST;
            }
            case UNICAST -> {
                mac = r.destinationMac().bits();
                ipTo = r.destinationIp();
            }
            case RELAY -> {
                mac = ethernet.source();
                ipTo = r.destinationIp();
            }
            default -> throw new IllegalStateException("delivery " + r.delivery());
        }
        sender.send(mac, gatewayIp, DhcpReply.SERVER_PORT, ipTo, r.destinationPort(), r.payload());
        return true;
    }
}
