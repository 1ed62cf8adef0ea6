package io.gvproxy.core.udp;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.gateway.GatewayConfig;
import io.gvproxy.core.gateway.Ipv4Handler;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.Malformed;
import io.gvproxy.core.wire.UdpDatagram;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The gateway's handler for IP protocol 17. Each datagram ends in exactly one {@code udp.*} outcome counter
 * besides {@code udp.datagrams}: a malformed reason, {@code bad_checksum}, {@code no_service}, {@code delivered},
 * {@code refused} or {@code service_errors}.
 *
 * <p>Destinations: the gateway IP goes to the service bound to its port ({@link #bind}); the limited broadcast
 * 255.255.255.255 and the subnet broadcast to the one bound with {@link #bindBroadcast} (DHCP clients without an
 * address); any other unicast address to the {@link #setFallback fallback}, which is where a NAT plugs in.
 * Bindings may change while datagrams flow.
 */
public final class UdpDispatcher implements Ipv4Handler {
    private static final int PORTS = 65536;
    private static final int LIMITED_BROADCAST = -1;

    private final int gatewayIp;
    private final int subnetBroadcast;
    private final boolean verifyChecksums;
    // Indexed by port: a lookup per datagram without boxing; 256 KiB each, once per network.
    private final AtomicReferenceArray<UdpService> gatewayPorts = new AtomicReferenceArray<>(PORTS);
    private final AtomicReferenceArray<UdpService> broadcastPorts = new AtomicReferenceArray<>(PORTS);
    private volatile UdpService fallback;
    private final ThreadLocal<UdpDatagram> views = ThreadLocal.withInitial(UdpDatagram::new);

    private final Counter datagrams;
    private final Counter[] malformed = new Counter[Malformed.values().length];
    private final Counter badChecksum;
    private final Counter noService;
    private final Counter delivered;
    private final Counter refused;
    private final Counter serviceErrors;

    public UdpDispatcher(GatewayConfig config, Counters counters) {
        Objects.requireNonNull(config, "config");
        this.gatewayIp = config.ip();
        this.subnetBroadcast = config.subnet().broadcast();
        this.verifyChecksums = config.verifyChecksums();
        this.datagrams = counters.counter("udp.datagrams");
        for (Malformed m : Malformed.values()) {
            malformed[m.ordinal()] = counters.counter("udp." + m.counterName());
        }
        this.badChecksum = counters.counter("udp.bad_checksum");
        this.noService = counters.counter("udp.no_service");
        this.delivered = counters.counter("udp.delivered");
        this.refused = counters.counter("udp.refused");
        this.serviceErrors = counters.counter("udp.service_errors");
    }

    /** Serves datagrams to gatewayIP:{@code port} with {@code service}, replacing any earlier one; null unbinds. */
    public void bind(int port, UdpService service) {
        gatewayPorts.set(checkPort(port), service);
    }

    /** Serves datagrams to a broadcast address and {@code port}; null unbinds. */
    public void bindBroadcast(int port, UdpService service) {
        broadcastPorts.set(checkPort(port), service);
    }

    /** Takes unicast datagrams to every address other than the gateway IP; null drops them (counted). */
    public void setFallback(UdpService service) {
        fallback = service;
    }

    @Override
    public boolean handle(Frame frame, EthernetFrame ethernet, Ipv4Packet ip) {
        datagrams.increment();
        UdpDatagram udp = views.get();
        Malformed m = udp.wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength());
        if (m != null) {
            malformed[m.ordinal()].increment();
            return true;
        }
        int dst = ip.destinationAddress();
        if (verifyChecksums && !udp.checksumValid(ip.sourceAddress(), dst)) {
            badChecksum.increment();
            return true;
        }
        UdpService service;
        if (dst == gatewayIp) {
            service = gatewayPorts.get(udp.destinationPort());
        } else if (dst == LIMITED_BROADCAST || dst == subnetBroadcast) {
            service = broadcastPorts.get(udp.destinationPort());
        } else if ((dst >>> 28) == 0xE) {
            service = null; // multicast: nobody on the gateway listens to a group
        } else {
            service = fallback;
        }
        if (service == null) {
            noService.increment();
            return true;
        }
        boolean taken;
        try {
            taken = service.handle(ethernet, ip, udp);
        } catch (RuntimeException e) {
            serviceErrors.increment();
            return true;
        }
        (taken ? delivered : refused).increment();
        return true;
    }

    private static int checkPort(int port) {
        if (port < 0 || port >= PORTS) {
            throw new IllegalArgumentException("UDP port outside 0..65535: " + port);
        }
        return port;
    }
}
