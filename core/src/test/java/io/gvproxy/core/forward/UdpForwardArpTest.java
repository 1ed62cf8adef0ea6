package io.gvproxy.core.forward;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A UDP forward resolves the guest's MAC once: later clients use the MAC the gateway already knows, so opening
 * their flows sends no ARP request (each one would stall the forward's single reader for a round trip).
 */
@Timeout(60)
class UdpForwardArpTest {
    @Test
    void onlyTheFirstClientOfAForwardCostsAnArpRoundTrip() throws Exception {
        Counters counters = new Counters();
        try (VirtualNetwork network = new VirtualNetwork(NetworkConfig.defaults(), counters);
             SimulatedGuest guest = new SimulatedGuest(network, network.config().deviceIp())) {
            guest.udp.bind(7, (eth, ip, udp) -> guest.udpSender.send(eth.source(), guest.ip, 7, ip.sourceAddress(),
                    udp.sourcePort(), MemorySegment.ofArray(new byte[]{42})));
            DatagramChannel socket = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    0));
            try (UdpForward forward = new UdpForward(socket, new UdpPorts(), network.udp(), network.udpSender(),
                    network.arpResolver(), network.config().gatewayIp(), guest.ip, 7, UdpForward.IDLE_MILLIS, m -> { });
                 DatagramChannel first = DatagramChannel.open();
                 DatagramChannel second = DatagramChannel.open()) {
                roundTrip(first, socket);
                long requestsAfterFirst = counters.get("forward.arp.requests_sent");
                long repliesAfterFirst = guest.counters.get("gateway.arp.replies_sent");
                assertTrue(requestsAfterFirst >= 1, "the first client's flow resolves the guest by ARP");
                assertTrue(repliesAfterFirst >= 1, "the guest answered the gateway's ARP request");

                roundTrip(second, socket);
                assertEquals(2, forward.flowCount());
                assertEquals(requestsAfterFirst, counters.get("forward.arp.requests_sent"),
                        "the second client's flow sent an ARP request");
                assertEquals(repliesAfterFirst, guest.counters.get("gateway.arp.replies_sent"),
                        "the guest saw an ARP request for the second client's flow");
            }
        }
    }

    private static void roundTrip(DatagramChannel client, DatagramChannel forward) throws Exception {
        client.connect(forward.getLocalAddress());
        client.write(ByteBuffer.wrap(new byte[]{1}));
        ByteBuffer reply = ByteBuffer.allocate(10);
        client.read(reply);
        assertEquals(42, reply.get(0));
    }
}
