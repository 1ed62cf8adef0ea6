package io.gvproxy.core.nat;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Gateway;
import io.gvproxy.core.gateway.GatewayConfig;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.link.MemoryLink;
import io.gvproxy.core.link.QueuedLinkPump;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.TcpStack;
import io.gvproxy.core.tcpip.TcpStackConfig;
import io.gvproxy.core.tcpip.TcpStream;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A guest for NAT tests: a {@link VirtualNetwork} with the given NAT settings, joined by an in-memory link to a
 * guest-side gateway and TCP stack (for TCP), with the guest's received UDP and ICMP packets kept as raw IPv4
 * packets. Only loopback is ever dialled: the tests' policies allow 127.0.0.0/8 alone.
 */
final class NatGuest implements AutoCloseable {
    static final int GUEST = Ipv4.parse("192.168.127.2");
    static final int HOST = Ipv4.parse("192.168.127.254");
    static final MacAddress GUEST_MAC = MacAddress.parse("5a:94:ef:e4:0c:ee");
    static final EgressPolicy LOOPBACK_ONLY = EgressPolicy.of(List.of(Ipv4Subnet.parse("127.0.0.0/8")), List.of());

    final Counters counters = new Counters();
    final VirtualNetwork network;
    final TcpStack guestTcp;
    final BlockingQueue<byte[]> udp = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> icmp = new LinkedBlockingQueue<>();
    private final FramePool pool;
    private final MemoryLink link;
    private final QueuedLinkPump pump;
    private final AtomicInteger ports = new AtomicInteger(40000);

    NatGuest(NatConfig nat) {
        network = new VirtualNetwork(NetworkConfig.defaults(), counters, nat);
        pool = FramePool.forMtu(1500);
        MemoryLink[] links = MemoryLink.pair(1024, pool, counters);
        network.attach(links[0], p -> { });
        link = links[1];
        pump = new QueuedLinkPump(link, pool, 4096, counters.counter("guest.queue_full"));
        FrameSink output = pump.output();
        GatewayConfig gc = new GatewayConfig(GUEST_MAC, GUEST, NetworkConfig.DEFAULT_SUBNET, new int[0], 1500, true);
        Gateway gateway = new Gateway(gc, counters, pool, output);
        guestTcp = new TcpStack(TcpStackConfig.forMtu(1500), counters, pool, GUEST_MAC, output);
        gateway.setIpv4Handler(IpProtocol.TCP, guestTcp);
        gateway.setIpv4Handler(IpProtocol.UDP, (frame, eth, ip) -> udp.add(copy(ip)));
        gateway.setIpv4Handler(IpProtocol.ICMP, (frame, eth, ip) -> icmp.add(copy(ip)));
        pump.start("guest", gateway);
    }

    static NatConfig loopbackOnly() {
        return NatConfig.defaults(HOST).withPolicy(LOOPBACK_ONLY);
    }

    private static byte[] copy(Ipv4Packet ip) {
        return ip.segment().asSlice(ip.offset(), ip.totalLength()).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Opens a guest connection to dst:port through the gateway (the handshake runs in the background). */
    TcpStream connect(int dst, int port) throws IOException {
        return guestTcp.connect(GUEST, ports.incrementAndGet(), dst, port, NetworkConfig.DEFAULT_GATEWAY_MAC);
    }

    /** Sends a UDP datagram from GUEST:srcPort. */
    void sendUdp(int srcPort, int dst, int dstPort, byte[] payload) throws IOException {
        int ipLen = Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH + payload.length;
        MemorySegment s = MemorySegment.ofArray(new byte[EthernetFrame.HEADER_LENGTH + ipLen]);
        long ipAt = EthernetFrame.writeHeader(s, 0, NetworkConfig.DEFAULT_GATEWAY_MAC.bits(), GUEST_MAC.bits(),
                EtherType.IPV4);
        long udpAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, s, udpAt + UdpDatagram.HEADER_LENGTH, payload.length);
        UdpDatagram.write(s, udpAt, srcPort, dstPort, payload.length, GUEST, dst);
        Ipv4Packet.writeHeader(s, ipAt, 0, ipLen, 1, 0, 0, 64, IpProtocol.UDP, GUEST, dst);
        link.send(s);
    }

    long count(String name) {
        return counters.get(name);
    }

    @Override
    public void close() throws InterruptedException {
        network.close();
        guestTcp.close();
        pump.close();
    }
}
