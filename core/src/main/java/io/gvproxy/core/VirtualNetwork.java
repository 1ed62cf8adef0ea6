package io.gvproxy.core;

import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Gateway;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.TcpStack;
import io.gvproxy.core.tcpip.TcpStackConfig;
import io.gvproxy.core.vswitch.SwitchPort;
import io.gvproxy.core.vswitch.VirtualSwitch;
import io.gvproxy.core.wire.IpProtocol;

import java.util.function.Consumer;

/**
 * The appliance: a virtual switch with the gateway attached, into which VM links are plugged. This is what a
 * gvproxy process runs; the CLI turns accepted connections into links and attaches them here.
 */
public final class VirtualNetwork implements AutoCloseable {
    private final NetworkConfig config;
    private final Counters counters;
    private final FramePool pool;
    private final VirtualSwitch vswitch;
    private final Gateway gateway;
    private final TcpStack tcpStack;

    public VirtualNetwork(NetworkConfig config, Counters counters) {
        this.config = config;
        this.counters = counters;
        this.pool = FramePool.forMtu(config.mtu());
        this.vswitch = new VirtualSwitch(counters);
        this.gateway = new Gateway(config.gatewayConfig(), counters, pool, vswitch.gatewayOutput());
        vswitch.attachGateway(config.gatewayMac(), gateway);
        TcpStackConfig tcpConfig = TcpStackConfig.forMtu(config.mtu())
                .withVerifyChecksums(config.gatewayConfig().verifyChecksums());
        this.tcpStack = new TcpStack(tcpConfig, counters, pool, config.gatewayMac(), vswitch.gatewayOutput());
        gateway.setIpv4Handler(IpProtocol.TCP, tcpStack);
        gateway.setIpv4Handler(IpProtocol.ICMP, tcpStack.icmpHandler());
    }

    /** Plugs a VM link into the switch; {@code onDetached} runs once when the link ends (EOF, error or close). */
    public SwitchPort attach(Link link, Consumer<SwitchPort> onDetached) {
        return vswitch.attach(link, pool, onDetached);
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

    /** TCP terminated at the gateway: install a {@code SynListener} to take guest connections. */
    public TcpStack tcpStack() {
        return tcpStack;
    }

    /** Detaches every link and stops their threads. */
    @Override
    public void close() {
        tcpStack.close();
        vswitch.close();
    }
}
