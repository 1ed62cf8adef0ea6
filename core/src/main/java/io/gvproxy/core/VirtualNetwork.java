package io.gvproxy.core;

import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Gateway;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.vswitch.SwitchPort;
import io.gvproxy.core.vswitch.VirtualSwitch;

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

    public VirtualNetwork(NetworkConfig config, Counters counters) {
        this.config = config;
        this.counters = counters;
        this.pool = FramePool.forMtu(config.mtu());
        this.vswitch = new VirtualSwitch(counters);
        this.gateway = new Gateway(config.gatewayConfig(), counters, pool, vswitch.gatewayOutput());
        vswitch.attachGateway(config.gatewayMac(), gateway);
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

    /** Detaches every link and stops their threads. */
    @Override
    public void close() {
        vswitch.close();
    }
}
