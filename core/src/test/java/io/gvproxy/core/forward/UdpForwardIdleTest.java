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
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A UDP forward's flows end after the idle time and a later datagram opens a new one on a new gateway port. */
@Timeout(60)
class UdpForwardIdleTest {
    @Test
    void idleFlowsEndAndTheNextDatagramStartsAFreshOne() throws Exception {
        try (VirtualNetwork network = new VirtualNetwork(NetworkConfig.defaults(), new Counters());
             SimulatedGuest guest = new SimulatedGuest(network, network.config().deviceIp())) {
            AtomicInteger lastSourcePort = new AtomicInteger();
            AtomicInteger received = new AtomicInteger();
            guest.udp.bind(7, (eth, ip, udp) -> {
                lastSourcePort.set(udp.sourcePort());
                received.incrementAndGet();
                return guest.udpSender.send(eth.source(), guest.ip, 7, ip.sourceAddress(), udp.sourcePort(),
                        MemorySegment.ofArray(new byte[]{42}));
            });
            DatagramChannel socket = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    0));
            try (UdpForward forward = new UdpForward(socket, new UdpPorts(), network.udp(), network.udpSender(),
                    network.arpResolver(), network.config().gatewayIp(), guest.ip, 7, 300, m -> { });
                 DatagramChannel client = DatagramChannel.open()) {
                client.connect(socket.getLocalAddress());
                client.write(ByteBuffer.wrap(new byte[]{1}));
                ByteBuffer reply = ByteBuffer.allocate(10);
                client.read(reply);
                assertEquals(42, reply.get(0));
                assertEquals(1, forward.flowCount());
                int firstPort = lastSourcePort.get();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (forward.flowCount() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(0, forward.flowCount(), "the idle flow did not end");
                client.write(ByteBuffer.wrap(new byte[]{2}));
                reply.clear();
                client.read(reply);
                assertEquals(42, reply.get(0));
                assertEquals(2, received.get());
                assertTrue(lastSourcePort.get() != firstPort, "a new flow takes the next gateway port");
            }
        }
    }
}
