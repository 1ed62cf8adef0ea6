package io.gvproxy.core.nat;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.MemoryLink;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The echo NAT as wired into {@link VirtualNetwork}: behind the gateway's own echo and the TCP path-MTU hook. */
class IcmpNatNetworkTest {
    private static final int GATEWAY = Ipv4.parse("192.168.127.1");

    private static IcmpNatTest.ToGuest receive(MemoryLink guest, FramePool pool) throws Exception {
        Frame f = pool.acquire();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                assertTrue(guest.receive(f), "link open");
                MemorySegment s = f.data();
                EthernetFrame eth = new EthernetFrame();
                if (eth.wrap(s) == null && eth.etherType() == 0x0800 && s.get(ValueLayout.JAVA_BYTE, 23) == 1) {
                    return IcmpNatTest.ToGuest.parse(s.toArray(ValueLayout.JAVA_BYTE));
                }
            }
            throw new AssertionError("no ICMP to the guest");
        } finally {
            f.release();
        }
    }

    @Test
    void pingsToTheHostGoToTheNatAndPingsToTheGatewayAreAnsweredByIt() throws Exception {
        Counters counters = new Counters();
        EchoSocketFake.Factory sockets = new EchoSocketFake.Factory();
        FramePool pool = FramePool.forMtu(1500);
        try (VirtualNetwork network = new VirtualNetwork(NetworkConfig.defaults(), counters, NatGuest.loopbackOnly(),
                sockets)) {
            MemoryLink[] links = MemoryLink.pair(64, pool, counters);
            network.attach(links[0], p -> { });
            MemoryLink guest = links[1];

            guest.send(MemorySegment.ofArray(IcmpNatTest.echoRequest(IcmpNatTest.GUEST, GATEWAY, 5, 1, 64,
                    IcmpNatTest.DATA)));
            IcmpNatTest.ToGuest own = receive(guest, pool);
            assertEquals(GATEWAY, own.src());
            assertEquals(IcmpType.ECHO_REPLY, own.type());
            assertTrue(sockets.opened.isEmpty(), "the gateway answers its own pings");

            guest.send(MemorySegment.ofArray(IcmpNatTest.echoRequest(IcmpNatTest.GUEST, IcmpNatTest.HOST, 6, 2, 64,
                    IcmpNatTest.DATA)));
            TcpNatTest.waitFor(() -> sockets.opened.size() == 1, "a socket for the host IP");
            EchoSocketFake s = sockets.opened.getFirst();
            EchoSocketFake.Sent sent = s.sent.poll(5, TimeUnit.SECONDS);
            assertNotNull(sent);
            assertEquals(IcmpNatTest.LOOPBACK, sent.destination());
            s.queueReply(IcmpNatTest.LOOPBACK, 6, 2, IcmpNatTest.DATA);
            IcmpNatTest.ToGuest r = receive(guest, pool);
            assertEquals(IcmpNatTest.HOST, r.src());
            assertEquals(IcmpNatTest.GUEST, r.dst());
            assertEquals(IcmpType.ECHO_REPLY, r.type());
            // counted once the switch took the frame, which may be after the guest already has it
            TcpNatTest.waitFor(() -> counters.get("nat.icmp.replies_to_guest") == 1, "the reply counted");
        }
        assertTrue(sockets.opened.getFirst().closed, "closing the network closes the flows");
    }
}
