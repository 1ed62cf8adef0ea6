package io.gvproxy.core.forward;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.SynOffer;
import io.gvproxy.core.tcpip.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The network's SYN dispatch: bound gateway ports first, then the fallback, else a reset. */
@Timeout(60)
class SynRouterTest {
    private TcpStream dialFromGuest(SimulatedGuest guest, int dst, int port) throws IOException {
        return guest.stack.connect(guest.ip, 40000 + port % 1000, dst, port, NetworkConfig.DEFAULT_GATEWAY_MAC);
    }

    @Test
    void boundPortsWinAndTheRestGoToTheFallback() throws Exception {
        try (VirtualNetwork network = new VirtualNetwork(NetworkConfig.defaults(), new Counters());
             SimulatedGuest guest = new SimulatedGuest(network, network.config().deviceIp())) {
            int gw = network.config().gatewayIp();
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            assertTrue(network.synRouter().bind(gw, 80, o -> {
                seen.add("api " + o.localPort());
                o.accept();
            }));
            assertFalse(network.synRouter().bind(gw, 80, SynOffer::reject));
            try (TcpStream s = dialFromGuest(guest, gw, 80)) {
                s.awaitConnected(5, TimeUnit.SECONDS);
            }
            // no fallback: refused
            TcpStream refused = dialFromGuest(guest, Ipv4.parse("10.1.2.3"), 443);
            assertThrows(ConnectException.class, () -> refused.awaitConnected(5, TimeUnit.SECONDS));
            network.synRouter().setFallback(o -> {
                seen.add("nat " + Ipv4.toString(o.localAddress()) + ":" + o.localPort());
                o.accept();
            });
            try (TcpStream s = dialFromGuest(guest, Ipv4.parse("10.1.2.3"), 444)) {
                s.awaitConnected(5, TimeUnit.SECONDS);
            }
            network.synRouter().unbind(gw, 80);
            try (TcpStream s = dialFromGuest(guest, gw, 81 - 1 + 1000)) {
                s.awaitConnected(5, TimeUnit.SECONDS);
            }
            assertEquals(java.util.List.of("api 80", "nat 10.1.2.3:444", "nat 192.168.127.1:1080"),
                    java.util.List.copyOf(seen));
        }
    }

    @Test
    void unsolicitedArpRepliesTeachNothing() throws Exception {
        Counters counters = new Counters();
        try (VirtualNetwork network = new VirtualNetwork(NetworkConfig.defaults(), counters)) {
            network.arpResolver().onArpReply(Ipv4.parse("192.168.127.9"), 0x0200_0000_0001L);
            assertEquals(1, counters.counter("forward.arp.unsolicited_replies").get());
            assertThrows(IOException.class, () -> network.tcpStack().connect(network.config().gatewayIp(), 1000,
                    Ipv4.parse("192.168.127.9"), 80));
        }
    }
}
