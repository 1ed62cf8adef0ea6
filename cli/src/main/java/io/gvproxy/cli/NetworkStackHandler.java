package io.gvproxy.cli;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.dns.ResolvConf;
import io.gvproxy.core.link.FrameLogLink;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.link.PcapLink;
import io.gvproxy.core.link.PcapWriter;
import io.gvproxy.core.link.StreamFraming;
import io.gvproxy.core.link.StreamLink;
import io.gvproxy.core.link.VpnkitHandshake;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.vswitch.SwitchPort;
import io.gvproxy.ffm.PingSocketFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns accepted VM connections into links on the virtual network: QEMU's 4-byte big-endian framing, VPNKit's
 * handshake followed by 2-byte little-endian framing, stdio with the 2-byte framing, and the native BESS
 * (seqpacket) and vfkit (datagram) links. Each call blocks until its
 * link is detached from the switch (the VM left, an I/O error, or shutdown).
 */
public final class NetworkStackHandler implements VmConnectionHandler {
    public static final VmConnectionHandlerFactory FACTORY = NetworkStackHandler::create;

    /** Built on its own thread by {@link #create}: see there. */
    private final CompletableFuture<VirtualNetwork> network;
    private final PcapWriter pcap;
    private final LogrusLogger log;
    private final Map<String, MacAddress> vpnkitMacs;
    /** For VPNKit handshakes only, so made at the first one: its security providers are not start-up work. */
    private SecureRandom random;
    private final AtomicInteger vpnkitIds = new AtomicInteger();
    private final AtomicInteger connectIds = new AtomicInteger();
    private final StreamFraming connectFraming;
    /** upstream's stack.debug: a summary line per frame, at info level as upstream logs them. */
    private volatile boolean logFrames;
    /** Warmed up when the first VM connects; null in tests that build the network themselves. */
    private PingSocketFactory pingSockets;
    private final AtomicBoolean pingSocketsWarm = new AtomicBoolean();

    NetworkStackHandler(VirtualNetwork network, PcapWriter pcap, Map<String, MacAddress> vpnkitMacs, LogrusLogger log) {
        this(network, pcap, vpnkitMacs, StreamFraming.HYPERKIT, log);
    }

    NetworkStackHandler(VirtualNetwork network, PcapWriter pcap, Map<String, MacAddress> vpnkitMacs,
            StreamFraming connectFraming, LogrusLogger log) {
        this(CompletableFuture.completedFuture(network), pcap, vpnkitMacs, connectFraming, log);
    }

    private NetworkStackHandler(CompletableFuture<VirtualNetwork> network, PcapWriter pcap,
            Map<String, MacAddress> vpnkitMacs, StreamFraming connectFraming, LogrusLogger log) {
        this.connectFraming = connectFraming;
        this.network = network;
        this.pcap = pcap;
        this.vpnkitMacs = Map.copyOf(vpnkitMacs);
        this.log = log;
    }

    /**
     * The virtual network (the host's resolv.conf, the frame pool, switch, gateway, DHCP, DNS, TCP stack and NAT) is
     * built on a thread of its own, so that gvproxy's API sockets bind meanwhile instead of after it: it was about
     * half the main thread's work before the API listened. Whatever needs the network waits for it in
     * {@link #network()}, and the server asks for it before it opens any VM listener, so a failure still stops the
     * start.
     */
    static NetworkStackHandler create(GvproxyOptions options, LogrusLogger log) throws IOException {
        PcapWriter pcap = null;
        if (options.pcapFile().isPresent()) {
            pcap = PcapWriter.create(options.pcapFile().get());
        }
        // guests' pings to other hosts go out through ping sockets; a host that refuses them is logged once
        PingSocketFactory pingSockets = new PingSocketFactory(log::warn);
        CompletableFuture<VirtualNetwork> network = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("network-setup").start(() -> {
            try {
                network.complete(new VirtualNetwork(networkConfig(options), new Counters(), options.nat(),
                        pingSockets));
            } catch (Throwable t) {
                network.completeExceptionally(t);
            }
        });
        NetworkStackHandler handler = new NetworkStackHandler(network, pcap, options.stack().vpnkitMacs(),
                connectFraming(options), log);
        handler.logFrames = options.debug();
        handler.pingSockets = pingSockets;
        return handler;
    }

    /**
     * Upstream picks /connect's framing from the VM flags: hyperkit, qemu if -listen-qemu is set, and bess or vfkit
     * (a frame per read, which a byte stream cannot delimit) if those are set. We keep the length-prefixed framings
     * only: with -listen-bess or -listen-vfkit, /connect stays hyperkit (or qemu), so that it keeps working.
     */
    static StreamFraming connectFraming(GvproxyOptions options) {
        return options.qemu().isPresent() ? StreamFraming.QEMU : StreamFraming.HYPERKIT;
    }

    /**
     * The stack settings of default or config mode; the nameservers DNS forwards to come from the host's
     * resolv.conf unless -dns-server replaces them, and so do the search domains unless -dns-search or the config
     * file gives them.
     */
    static NetworkConfig networkConfig(GvproxyOptions options) {
        return networkConfig(options, ResolvConf.read(ResolvConf.DEFAULT_PATH));
    }

    static NetworkConfig networkConfig(GvproxyOptions options, ResolvConf host) {
        StackSettings s = options.stack();
        boolean servers = options.explicitFlags().contains(DnsFlags.SERVER);
        boolean search = options.explicitFlags().contains(DnsFlags.SEARCH);
        return new NetworkConfig(options.mtu(), options.subnet(), options.gatewayIp(), s.gatewayMac(),
                options.deviceIp(), options.hostIp(), s.gatewayVirtualIps().stream().mapToInt(Integer::intValue).toArray(),
                s.dnsZones(), search ? options.dnsSearchDomains() : s.dnsSearchDomains().orElse(host.search()),
                s.dhcpStaticLeases(), servers ? options.dnsServers() : host.nameserverAddresses());
    }

    /** Waits for the network while it is still being built; a failure to build it is rethrown, unchecked. */
    @Override
    public VirtualNetwork network() {
        try {
            return network.join();
        } catch (CompletionException e) {
            // The builder's own exception, as if the network had been built on this thread.
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    @Override
    public void qemu(ByteChannel channel, String peerName) throws IOException {
        serve("qemu", peerName, StreamLink.of("qemu", channel, StreamFraming.QEMU, network().counters()));
    }

    @Override
    public void vpnkit(ByteChannel channel, String peerName) throws IOException {
        MacAddress mac = VpnkitHandshake.accept(channel, vpnkitMacs, network().config().mtu(), random());
        log.info("vpnkit: handshake with " + peerName + " done, MAC " + mac);
        String name = "vpnkit." + vpnkitIds.incrementAndGet();
        serve(name, peerName, StreamLink.of(name, channel, StreamFraming.HYPERKIT, network().counters()));
    }

    /** The switch port's reader and writer are platform threads, as the blocking native link requires. */
    @Override
    public void bess(Link link, String peerName) throws IOException {
        serve("bess", peerName, link);
    }

    @Override
    public void vfkit(Link link, String peerName) throws IOException {
        serve("vfkit", peerName, link);
    }

    @Override
    public Counters counters() {
        return network().counters();
    }

    @Override
    public void connect(ByteChannel channel, String peerName) throws IOException {
        connect(channel, peerName, false);
    }

    /**
     * Accepts an offer of large segments when frames over the MTU can be framed (HyperKit framing, the MTU below
     * 64 KiB) and no capture or frame log sits between the link and the switch (they expect MTU-sized frames): the
     * acceptance goes out as the first frame, before the link is attached.
     */
    @Override
    public void connect(ByteChannel channel, String peerName, boolean offeredLargeSegments) throws IOException {
        String name = "connect." + connectIds.incrementAndGet();
        VirtualNetwork net = network();
        StreamLink link = StreamLink.of(name, channel, connectFraming, net.counters());
        boolean accept = offeredLargeSegments && connectFraming == StreamFraming.HYPERKIT && pcap == null && !logFrames
                && net.config().mtu() + FramePool.ETHERNET_OVERHEAD < LargeSegmentOffer.MAX_FRAME;
        if (accept) {
            link.send(MemorySegment.ofArray(LargeSegmentOffer.acceptFrame()));
            log.info(name + ": large TCP segments accepted");
        }
        serve(name, peerName, link, accept);
    }

    @Override
    public void stdio(ReadableByteChannel in, WritableByteChannel out) throws IOException {
        serve("stdio", "stdin/stdout",
                new StreamLink("stdio", in, out, StreamFraming.HYPERKIT, network().counters()));
    }

    private synchronized SecureRandom random() {
        if (random == null) {
            random = new SecureRandom();
        }
        return random;
    }

    private void serve(String name, String peerName, Link link) throws IOException {
        serve(name, peerName, link, false);
    }

    private void serve(String name, String peerName, Link link, boolean largeSegments) throws IOException {
        Link attached = pcap == null ? link : new PcapLink(link, pcap);
        if (logFrames) {
            attached = new FrameLogLink(attached, log::info);
        }
        CountDownLatch detached = new CountDownLatch(1);
        SwitchPort port = largeSegments
                ? network().attachWithLargeSegments(attached, LargeSegmentOffer.MAX_FRAME, p -> detached.countDown())
                : network().attach(attached, p -> detached.countDown());
        if (pingSockets != null && pingSocketsWarm.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("ping-socket-warm-up").start(pingSockets::warmUp);
        }
        log.info(name + ": VM connected from " + peerName + " (switch port " + port.id() + ")");
        try {
            detached.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            port.close();
        } finally {
            network().counters().removePrefix("link." + name + ".");
        }
        log.info(name + ": VM " + peerName + " disconnected");
    }

    /** The NAT's non-zero counters at exit (/stats has upstream's fields only): what was refused and why. */
    private void logNatCounters() {
        StringBuilder b = new StringBuilder();
        network().counters().snapshot().forEach((name, value) -> {
            if (name.startsWith("nat.") && value != 0) {
                b.append(' ').append(name).append('=').append(value);
            }
        });
        if (!b.isEmpty()) {
            log.info("nat counters:" + b);
        }
    }

    /** Stops every link, then flushes the capture. */
    @Override
    public void close() {
        network().close();
        logNatCounters();
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException e) {
                log.warn("closing pcap file: " + StartupException.reason(e));
            }
        }
    }
}
