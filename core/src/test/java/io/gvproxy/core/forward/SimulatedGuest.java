package io.gvproxy.core.forward;

import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Gateway;
import io.gvproxy.core.gateway.GatewayConfig;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.link.MemoryLink;
import io.gvproxy.core.link.QueuedLinkPump;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.SynListener;
import io.gvproxy.core.tcpip.TcpStack;
import io.gvproxy.core.tcpip.TcpStackConfig;
import io.gvproxy.core.udp.UdpDispatcher;
import io.gvproxy.core.udp.UdpSender;
import io.gvproxy.core.wire.IpProtocol;


/**
 * A guest inside the test: its own gateway (answering ARP for the guest IP), TCP stack and UDP dispatcher, on an
 * in-memory link plugged into a {@link VirtualNetwork}. Shared with cli's tests through core's test jar.
 */
public final class SimulatedGuest implements AutoCloseable {
    public static final MacAddress MAC = MacAddress.parse("5a:94:ef:e4:0c:ee");

    public final Counters counters = new Counters();
    public final TcpStack stack;
    public final UdpDispatcher udp;
    public final UdpSender udpSender;
    public final int ip;
    private final Gateway gateway;
    private final Link link;
    private final FramePool pool;
    private final QueuedLinkPump pump;

    public SimulatedGuest(VirtualNetwork network, int ip) {
        this.ip = ip;
        this.pool = FramePool.forMtu(network.config().mtu());
        MemoryLink[] links = MemoryLink.pair(1024, pool, counters);
        network.attach(links[0], p -> { });
        this.link = links[1];
        pump = new QueuedLinkPump(link, pool, 4096, counters.counter("guest.queue_full"));
        FrameSink output = pump.output();
        GatewayConfig gc = new GatewayConfig(MAC, ip, network.config().subnet(), new int[0], network.config().mtu(),
                true);
        gateway = new Gateway(gc, counters, pool, output);
        stack = new TcpStack(TcpStackConfig.forMtu(network.config().mtu()), counters, pool, MAC, output);
        gateway.setIpv4Handler(IpProtocol.TCP, stack);
        udp = new UdpDispatcher(gc, counters);
        udpSender = new UdpSender(MAC.bits(), network.config().mtu(), pool, output, counters);
        gateway.setIpv4Handler(IpProtocol.UDP, udp);
        pump.start("guest", gateway);
    }

    public void listen(SynListener l) {
        stack.setSynListener(l);
    }

    @Override
    public void close() throws Exception {
        stack.close();
        pump.close();
    }
}
