package io.gvproxy.core;

import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.dhcp.DhcpReply;
import io.gvproxy.core.dhcp.DhcpServer;
import io.gvproxy.core.dns.DnsServer;
import io.gvproxy.core.dns.DnsTcpService;
import io.gvproxy.core.dns.ZoneTable;
import io.gvproxy.core.forward.ArpResolver;
import io.gvproxy.core.gateway.Gateway;
import io.gvproxy.core.gateway.Ipv4Handler;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.nat.EchoSocketFactory;
import io.gvproxy.core.nat.IcmpNat;
import io.gvproxy.core.nat.IcmpNatConfig;
import io.gvproxy.core.nat.NatConfig;
import io.gvproxy.core.nat.TcpNat;
import io.gvproxy.core.nat.UdpNat;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.SynRouter;
import io.gvproxy.core.tcpip.TcpStack;
import io.gvproxy.core.tcpip.TcpStackConfig;
import io.gvproxy.core.udp.DhcpUdpService;
import io.gvproxy.core.udp.DnsUdpService;
import io.gvproxy.core.udp.UdpDispatcher;
import io.gvproxy.core.udp.UdpSender;
import io.gvproxy.core.vswitch.SwitchPort;
import io.gvproxy.core.vswitch.VirtualSwitch;
import io.gvproxy.core.wire.IpProtocol;

import java.util.function.Consumer;

/**
 * The appliance: a virtual switch with the gateway attached, into which VM links are plugged. This is what a
 * gvproxy process runs; the CLI turns accepted connections into links and attaches them here. The gateway
 * serves DHCP on UDP port 67 and DNS on UDP and TCP port 53 of the gateway IP.
 */
public final class VirtualNetwork implements AutoCloseable {
    private final NetworkConfig config;
    private final Counters counters;
    private final FramePool pool;
    private static final int LARGE_POOL_IDLE = 8;
    /** The largest frame a large-segment link carries: the 2-byte length of its framing. */
    private static final int LARGE_FRAME = 65535;
    /** Idle large send buffers kept: about one receive window's worth of a fast flow toward a guest. */
    private static final int LARGE_SEND_IDLE = 32;
    private FramePool largePool;
    private final VirtualSwitch vswitch;
    private final Gateway gateway;
    private final TcpStack tcpStack;
    private final SynRouter synRouter = new SynRouter();
    private final ArpResolver arpResolver;
    private final UdpDispatcher udp;
    private final UdpSender udpSender;
    private final DhcpServer dhcpServer;
    private final ZoneTable zones;
    private final DnsServer dnsServer;
    private final DnsTcpService dnsTcp;
    private final TcpNat tcpNat;
    private final UdpNat udpNat;
    private final IcmpNat icmpNat;

    /**
     * Without a NAT: guest TCP to anything but the gateway's services is reset and such UDP counted as
     * {@code udp.no_service}, so nothing a guest sends opens a host socket (tests and embedders that want no
     * egress). gvproxy itself uses {@link #VirtualNetwork(NetworkConfig, Counters, NatConfig)}.
     */
    public VirtualNetwork(NetworkConfig config, Counters counters) {
        this(config, counters, null);
    }

    /**
     * Guest TCP and UDP to addresses off the gateway's services go to host sockets as {@code nat} says; null:
     * none. Guest pings to such addresses go unanswered (counted as {@code gateway.ipv4.unclaimed}).
     */
    public VirtualNetwork(NetworkConfig config, Counters counters, NatConfig nat) {
        this(config, counters, nat, null);
    }

    /** As above, and guest pings to such addresses go out through {@code echoSockets} (with a NAT; null: none). */
    public VirtualNetwork(NetworkConfig config, Counters counters, NatConfig nat, EchoSocketFactory echoSockets) {
        this.config = config;
        this.counters = counters;
        this.pool = FramePool.forMtu(config.mtu());
        this.vswitch = new VirtualSwitch(counters);
        this.gateway = new Gateway(config.gatewayConfig(), counters, pool, vswitch.gatewayOutput());
        this.udp = new UdpDispatcher(config.gatewayConfig(), counters);
        this.udpSender = new UdpSender(config.gatewayMac().bits(), config.mtu(), pool, vswitch.gatewayOutput(),
                counters);
        this.dhcpServer = new DhcpServer(config.dhcpConfig(), counters);
        this.zones = new ZoneTable(config.dnsZones());
        this.dnsServer = new DnsServer(config.dnsConfig(), zones, counters);
        DhcpUdpService dhcp = new DhcpUdpService(dhcpServer, udpSender, config.gatewayIp(), System::currentTimeMillis);
        udp.bind(DhcpReply.SERVER_PORT, dhcp);
        udp.bindBroadcast(DhcpReply.SERVER_PORT, dhcp);
        udp.bind(DnsUdpService.PORT, new DnsUdpService(dnsServer, udpSender, config.gatewayIp(),
                config.subnet().broadcast(), counters));
        gateway.setIpv4Handler(IpProtocol.UDP, udp);
        vswitch.attachGateway(config.gatewayMac(), gateway);
        vswitch.setGatewayLargeInput(gateway.largeSegmentInput());
        TcpStackConfig tcpConfig = TcpStackConfig.forMtu(config.mtu())
                .withVerifyChecksums(config.gatewayConfig().verifyChecksums());
        if (nat != null) {
            // a held SYN must outlive the NAT's dial, or a slow but successful connect would find it expired
            tcpConfig = tcpConfig.withSynOfferTimeoutNanos(Math.max(tcpConfig.synOfferTimeoutNanos(),
                    nat.connectTimeout().plusSeconds(5).toNanos()));
        }
        this.tcpStack = new TcpStack(tcpConfig, counters, pool, config.gatewayMac(), vswitch.gatewayOutput());
        this.dnsTcp = new DnsTcpService(dnsServer, config.gatewayIp(), counters);
        // SYNs: ports bound on the router (the API on gateway:80) first, then DNS on gateway:53, then the NAT.
        synRouter.setFallback(dnsTcp);
        tcpStack.setSynListener(synRouter);
        gateway.setIpv4Handler(IpProtocol.TCP, tcpStack);
        vswitch.addBurstEndListener(tcpStack::endBurst);
        if (pool.frameCapacity() < LARGE_FRAME) {
            // toward guests whose link negotiated large frames, data segments go out up to 64 KiB
            tcpStack.setLargeSegmentPeers(vswitch::takesLargeFrames, new FramePool(LARGE_FRAME, LARGE_SEND_IDLE));
        }
        this.arpResolver = new ArpResolver(config.gatewayMac(), config.gatewayIp(), pool, vswitch.gatewayOutput(),
                tcpStack, counters);
        gateway.setArpReplyListener(arpResolver);
        Ipv4Handler pathMtu = tcpStack.icmpHandler();
        gateway.setIpv4Handler(IpProtocol.ICMP, pathMtu);
        if (nat == null) {
            this.tcpNat = null;
            this.udpNat = null;
            this.icmpNat = null;
        } else {
            this.tcpNat = new TcpNat(nat, counters);
            // DNS over TCP on gateway:53 stays first; every other SYN goes to the NAT.
            dnsTcp.setNext(tcpNat);
            this.udpNat = new UdpNat(nat, udpSender, pool, vswitch.gatewayOutput(), config.gatewayMac().bits(),
                    config.subnet().broadcast(), counters);
            udp.setFallback(udpNat);
            if (echoSockets == null) {
                this.icmpNat = null;
            } else {
                IcmpNat icmp = new IcmpNat(nat, IcmpNatConfig.defaults(), echoSockets, pool, vswitch.gatewayOutput(),
                        config.gatewayMac().bits(), config.subnet().broadcast(), counters);
                this.icmpNat = icmp;
                // "fragmentation needed" for the gateway's own TCP first; every other ICMP goes to the NAT
                gateway.setIpv4Handler(IpProtocol.ICMP, (frame, eth, ip) -> pathMtu.handle(frame, eth, ip)
                        || icmp.handle(frame, eth, ip));
            }
        }
    }

    /** Plugs a VM link into the switch; {@code onDetached} runs once when the link ends (EOF, error or close). */
    public SwitchPort attach(Link link, Consumer<SwitchPort> onDetached) {
        return vswitch.attach(link, pool, onDetached);
    }

    /**
     * As {@link #attach}, for a link that negotiated TCP/IPv4 frames of up to {@code maxFrame} bytes (over the MTU):
     * such frames to the gateway's TCP stack are taken; any other frame over the MTU is counted and dropped.
     */
    public SwitchPort attachWithLargeSegments(Link link, int maxFrame, Consumer<SwitchPort> onDetached) {
        if (maxFrame <= pool.frameCapacity()) {
            return attach(link, onDetached);
        }
        return vswitch.attach(link, pool, largeFramePool(maxFrame), onDetached);
    }

    private synchronized FramePool largeFramePool(int maxFrame) {
        if (largePool == null || largePool.frameCapacity() < maxFrame) {
            // each port holds one such buffer while switching a frame, and none once it has switched it
            largePool = new FramePool(maxFrame, LARGE_POOL_IDLE);
        }
        return largePool;
    }

    public NetworkConfig config() {
        return config;
    }

    public Counters counters() {
        return counters;
    }

    public FramePool framePool() {
        return pool;
    }

    public VirtualSwitch vswitch() {
        return vswitch;
    }

    public Gateway gateway() {
        return gateway;
    }

    /**
     * TCP terminated at the gateway. Its SYN listener is {@link #synRouter()}: bind listeners there. SYNs the
     * router does not take go to {@link #dnsTcpService()} (gateway:53), whose next listener is the NAT.
     */
    public TcpStack tcpStack() {
        return tcpStack;
    }

    /**
     * Where guest connections go: {@code bind} an address and port (the API on gateway:80) or set the fallback
     * (the outbound NAT) for all others.
     */
    public SynRouter synRouter() {
        return synRouter;
    }

    /** Finds guests' MACs by ARP from the gateway, for connections the gateway opens (port forwards). */
    public ArpResolver arpResolver() {
        return arpResolver;
    }

    /** UDP at the gateway: bind further services (or the NAT as fallback) here. */
    public UdpDispatcher udp() {
        return udp;
    }

    /** Sends UDP from the gateway into the network, from any thread. */
    public UdpSender udpSender() {
        return udpSender;
    }

    public DhcpServer dhcpServer() {
        return dhcpServer;
    }

    /** DNS over TCP on gateway:53; {@link DnsTcpService#setNext} takes guest connections to anything else. */
    public DnsTcpService dnsTcpService() {
        return dnsTcp;
    }

    public DnsServer dnsServer() {
        return dnsServer;
    }

    /** The DNS server's local zones; changes apply to the next query. */
    public ZoneTable zoneTable() {
        return zones;
    }

    /** Closes every NAT flow, stops forwarding DNS queries, detaches every link and stops their threads. */
    @Override
    public void close() {
        if (tcpNat != null) {
            tcpNat.close();
            udpNat.close();
        }
        if (icmpNat != null) {
            icmpNat.close();
        }
        tcpStack.close();
        dnsServer.close();
        vswitch.close();
    }
}
