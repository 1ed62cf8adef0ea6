package io.gvproxy.core.gateway;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.Malformed;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The router/host at the gateway IP, attached to the virtual switch as an in-process endpoint. The switch hands
 * it every frame for the gateway MAC or broadcast; replies leave through {@code output}.
 *
 * <p>Each frame ends in exactly one {@code gateway.*} counter besides {@code gateway.frames}: a reply sent, a
 * handler's verdict, or one drop reason. {@link #accept} may be called from several threads at once and never
 * throws.
 */
public final class Gateway implements FrameSink {
    private final GatewayConfig config;
    private final ArpResponder arp;
    private final EchoResponder echo;
    private final AtomicReferenceArray<Ipv4Handler> handlers = new AtomicReferenceArray<>(256);
    private final ThreadLocal<ParseScratch> scratch = ThreadLocal.withInitial(ParseScratch::new);

    private final Counter frames;
    private final ReasonCounters ethernetMalformed;
    private final Counter unknownEtherType;
    private final Counter ipv6Frames;
    private final ReasonCounters ipv4Malformed;
    private final Counter ipv4BadChecksum;
    private final Counter ipv4ExceedsMtu;
    private final Counter ipv4ZeroTtl;
    private final Counter ipv4Fragments;
    private final Counter ipv4NoHandler;
    private final Counter ipv4Handled;
    private final Counter ipv4Unclaimed;
    private final Counter ipv4HandlerErrors;
    private final Counter internalErrors;
    private final Counter largeNotTcp;
    private final FrameSink largeSegmentInput = f -> accept(f, true);

    public Gateway(GatewayConfig config, Counters counters, FramePool pool, FrameSink output) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(pool, "pool");
        ReplySender sender = new ReplySender(Objects.requireNonNull(output, "output"), counters);
        this.arp = new ArpResponder(config, counters, pool, sender);
        this.echo = new EchoResponder(config, counters, pool, sender);
        this.frames = counters.counter("gateway.frames");
        this.ethernetMalformed = new ReasonCounters(counters, "gateway.ethernet.");
        this.unknownEtherType = counters.counter("gateway.ethernet.unknown_ethertype");
        this.ipv6Frames = counters.counter("gateway.ipv6.frames");
        this.ipv4Malformed = new ReasonCounters(counters, "gateway.ipv4.");
        this.ipv4BadChecksum = counters.counter("gateway.ipv4.bad_checksum");
        this.ipv4ExceedsMtu = counters.counter("gateway.ipv4.exceeds_mtu");
        this.ipv4ZeroTtl = counters.counter("gateway.ipv4.zero_ttl");
        this.ipv4Fragments = counters.counter("gateway.ipv4.fragments");
        this.ipv4NoHandler = counters.counter("gateway.ipv4.no_handler");
        this.ipv4Handled = counters.counter("gateway.ipv4.handled");
        this.ipv4Unclaimed = counters.counter("gateway.ipv4.unclaimed");
        this.ipv4HandlerErrors = counters.counter("gateway.ipv4.handler_errors");
        this.internalErrors = counters.counter("gateway.internal_errors");
        this.largeNotTcp = counters.counter("gateway.ipv4.large_not_tcp");
    }

    /**
     * Where the switch hands frames over the MTU from a link that negotiated large TCP segments: TCP/IPv4 up to
     * 64 KiB is taken as from {@link #accept} (the TCP stack takes any in-window segment); any other protocol over
     * the MTU is counted as {@code gateway.ipv4.large_not_tcp} and dropped, since replies are built to the MTU.
     */
    public FrameSink largeSegmentInput() {
        return largeSegmentInput;
    }

    public GatewayConfig config() {
        return config;
    }

    /**
     * Routes IPv4 packets of {@code ipProtocol} (0..255) to {@code handler}, replacing any earlier one; null
     * removes it. Safe to call while frames flow.
     */
    public void setIpv4Handler(int ipProtocol, Ipv4Handler handler) {
        if (ipProtocol < 0 || ipProtocol > 255) {
            throw new IllegalArgumentException("IP protocol outside 0..255: " + ipProtocol);
        }
        handlers.set(ipProtocol, handler);
    }

    /** Who hears the ARP replies that reach the gateway (answers to an {@code ArpResolver}'s requests); null for
     *  none. */
    public void setArpReplyListener(ArpReplyListener listener) {
        arp.setReplyListener(listener);
    }

    /** Handles one frame from the switch; the frame is borrowed for the call. */
    @Override
    public void accept(Frame frame) {
        accept(frame, false);
    }

    private void accept(Frame frame, boolean largeTcp) {
        frames.increment();
        ParseScratch views = scratch.get();
        // A handler that feeds a frame straight back in on this thread must not clobber the views in use.
        if (views.busy) {
            views = new ParseScratch();
        }
        views.busy = true;
        try {
            dispatch(frame, views, largeTcp);
        } catch (RuntimeException e) {
            internalErrors.increment();
        } finally {
            views.busy = false;
        }
    }

    private void dispatch(Frame frame, ParseScratch v, boolean largeTcp) {
        EthernetFrame eth = v.ethernet;
        Malformed m = eth.wrap(frame.buffer(), 0, frame.length());
        if (m != null) {
            ethernetMalformed.increment(m);
            return;
        }
        switch (eth.etherType()) {
            case EtherType.ARP -> arp.handle(eth, v.arp);
            case EtherType.IPV4 -> ipv4(frame, v, largeTcp);
            case EtherType.IPV6 -> ipv6Frames.increment();
            default -> unknownEtherType.increment();
        }
    }

    private void ipv4(Frame frame, ParseScratch v, boolean largeTcp) {
        EthernetFrame eth = v.ethernet;
        Ipv4Packet ip = v.ipv4;
        Malformed m = ip.wrap(eth.segment(), eth.payloadOffset(), eth.payloadLength());
        if (m != null) {
            ipv4Malformed.increment(m);
            return;
        }
        // A real interface never delivers more than its MTU; this also bounds every reply built from a request.
        if (ip.totalLength() > config.mtu()) {
            if (!largeTcp) {
                ipv4ExceedsMtu.increment();
                return;
            }
            if (ip.protocol() != IpProtocol.TCP) {
                largeNotTcp.increment();
                return;
            }
        }
        if (config.verifyChecksums() && !ip.headerChecksumValid()) {
            ipv4BadChecksum.increment();
            return;
        }
        if (ip.ttl() == 0) {
            ipv4ZeroTtl.increment();
            return;
        }
        if (ip.isFragment()) {
            ipv4Fragments.increment();
            return;
        }
        // Views below see the packet trimmed to its total length, without Ethernet padding.
        ip.wrap(eth.segment(), ip.offset(), ip.totalLength());
        if (echo.claims(ip)) {
            echo.handle(eth, ip, v.icmp);
            return;
        }
        Ipv4Handler handler = handlers.get(ip.protocol());
        if (handler == null) {
            ipv4NoHandler.increment();
            return;
        }
        boolean taken;
        try {
            taken = handler.handle(frame, eth, ip);
        } catch (RuntimeException e) {
            ipv4HandlerErrors.increment();
            return;
        }
        (taken ? ipv4Handled : ipv4Unclaimed).increment();
    }
}
