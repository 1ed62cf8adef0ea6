package io.gvproxy.core.tcpip;

import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Gateway;
import io.gvproxy.core.gateway.GatewayConfig;
import io.gvproxy.core.link.FaultInjectingLink;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.link.MemoryLink;
import io.gvproxy.core.link.QueuedLinkPump;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.IpProtocol;


/**
 * Two TCP stacks, each behind its own gateway, joined by a pair of in-memory links that may damage what they
 * carry. Each side has the production shape: a non-blocking output queue drained by a writer thread (as a switch
 * port), and a reader thread that hands received frames to the gateway.
 */
final class LinkedStacks implements AutoCloseable {
    static final Ipv4Subnet SUBNET = Ipv4Subnet.parse("192.168.127.0/24");
    static final int IP_A = Ipv4.parse("192.168.127.1");
    static final int IP_B = Ipv4.parse("192.168.127.2");
    static final MacAddress MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress MAC_B = MacAddress.parse("02:00:00:00:00:0b");

    final Counters counters = new Counters();
    final TcpStack a;
    final TcpStack b;
    private final Side sideA;
    private final Side sideB;

    LinkedStacks(TcpStackConfig config, FaultInjectingLink.Faults faults, long seed, int queueFrames) {
        FramePool pool = FramePool.forMtu(1500);
        MemoryLink[] links = MemoryLink.pair(256, pool, counters);
        Link toB = new FaultInjectingLink(links[0], faults, seed, counters, "faults.a");
        Link toA = new FaultInjectingLink(links[1], faults, ~seed, counters, "faults.b");
        sideA = new Side("a", IP_A, MAC_A, config, pool, toB, queueFrames);
        sideB = new Side("b", IP_B, MAC_B, config, pool, toA, queueFrames);
        a = sideA.stack;
        b = sideB.stack;
    }

    private final class Side {
        final TcpStack stack;
        final Gateway gateway;
        private final QueuedLinkPump pump;

        Side(String name, int ip, MacAddress mac, TcpStackConfig config, FramePool pool, Link link, int queueFrames) {
            pump = new QueuedLinkPump(link, pool, queueFrames, counters.counter("side." + name + ".queue_full"));
            FrameSink output = pump.output();
            GatewayConfig gc = new GatewayConfig(mac, ip, SUBNET, new int[0], 1500, true);
            gateway = new Gateway(gc, counters, pool, output);
            stack = new TcpStack(config, counters, pool, mac, output);
            gateway.setIpv4Handler(IpProtocol.TCP, stack);
            pump.start(name, gateway);
        }

        void close() throws InterruptedException {
            stack.close();
            pump.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        sideA.close();
        sideB.close();
    }
}
