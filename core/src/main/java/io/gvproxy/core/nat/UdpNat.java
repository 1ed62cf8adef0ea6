package io.gvproxy.core.nat;

import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.udp.UdpSender;
import io.gvproxy.core.udp.UdpService;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

/**
 * The UDP dispatcher's fallback: guest datagrams to addresses other than the gateway's services go out through
 * one connected host socket per guest 4-tuple, and the host's replies come back from the address the guest wrote
 * to; one {@link UdpReplyReader} thread reads every flow's replies. Flows close after the idle timeout; the
 * table is bounded, a new flow evicting the longest idle one. A host refusal (ICMP port unreachable, seen as
 * ECONNREFUSED) is passed to the guest as an ICMP port unreachable.
 *
 * <p>Counters {@code nat.udp.*}: {@code flows_opened}, {@code datagrams_to_host}, {@code datagrams_to_guest},
 * {@code broadcast}, {@code link_local}, {@code denied}, {@code bad_source}, {@code open_errors},
 * {@code send_errors}, {@code host_buffer_full}, {@code idle_closed}, {@code evicted}, {@code port_unreachable},
 * {@code shutdown}, and the gauge {@code active}.
 */
public final class UdpNat implements UdpService, AutoCloseable {
    private final NatConfig config;
    private final UdpSender sender;
    private final PortUnreachableSender icmp;
    private final int subnetBroadcast;
    private final UdpReplyReader replies;
    private final BoundedFlowTable<UdpFlowKey, UdpFlow> flows;
    private volatile boolean closed;

    private final Counter toHost;
    private final Counter toGuest;
    private final Counter broadcast;
    private final Counter linkLocal;
    private final Counter denied;
    private final Counter badSource;
    private final Counter openErrors;
    private final Counter sendErrors;
    private final Counter hostBufferFull;
    final Counter idleClosed;
    private final Counter portUnreachable;
    private final Counter shutdown;

    /**
     * @param sender          sends replies to guests
     * @param pool            frames for ICMP errors
     * @param output          where ICMP errors go (the switch's gateway output)
     * @param gatewayMac      the source MAC of ICMP errors
     * @param subnetBroadcast the virtual subnet's broadcast address, never forwarded
     */
    public UdpNat(NatConfig config, UdpSender sender, FramePool pool, FrameSink output, long gatewayMac,
                  int subnetBroadcast, Counters counters) {
        this.config = config;
        this.sender = sender;
        this.icmp = new PortUnreachableSender(pool, output, gatewayMac);
        this.subnetBroadcast = subnetBroadcast;
        this.toHost = counters.counter("nat.udp.datagrams_to_host");
        this.toGuest = counters.counter("nat.udp.datagrams_to_guest");
        this.broadcast = counters.counter("nat.udp.broadcast");
        this.linkLocal = counters.counter("nat.udp.link_local");
        this.denied = counters.counter("nat.udp.denied");
        this.badSource = counters.counter("nat.udp.bad_source");
        this.openErrors = counters.counter("nat.udp.open_errors");
        this.sendErrors = counters.counter("nat.udp.send_errors");
        this.hostBufferFull = counters.counter("nat.udp.host_buffer_full");
        this.idleClosed = counters.counter("nat.udp.idle_closed");
        this.portUnreachable = counters.counter("nat.udp.port_unreachable");
        this.shutdown = counters.counter("nat.udp.shutdown");
        this.flows = new BoundedFlowTable<>(config.maxUdpFlows(), counters.counter("nat.udp.flows_opened"),
                counters.counter("nat.udp.evicted"), counters.counter("nat.udp.active"));
        this.replies = new UdpReplyReader(this, flows, config.udpIdleTimeout().toNanos());
    }

    @Override
    public boolean handle(EthernetFrame ethernet, Ipv4Packet ip, UdpDatagram udp) {
        int dst = ip.destinationAddress();
        int src = ip.sourceAddress();
        if (dst == -1 || dst == subnetBroadcast) {
            broadcast.increment();
            return true;
        }
        if (src == 0 || src == -1 || (src >>> 28) == 0xE || udp.sourcePort() == 0) {
            badSource.increment();
            return true;
        }
        if (closed) {
            shutdown.increment();
            return true;
        }
        UdpFlowKey key = new UdpFlowKey(src, udp.sourcePort(), dst, udp.destinationPort());
        UdpFlow flow = flows.get(key);
        if (flow == null || flow.isClosed()) {
            long route = config.route(dst, linkLocal, denied);
            if (route < 0) {
                return true;
            }
            flow = open(key, ethernet.source(), (int) route);
            if (flow == null) {
                return true;
            }
        }
        MemorySegment payload = udp.segment().asSlice(udp.payloadOffset(), udp.payloadLength());
        switch (flow.send(payload.asByteBuffer())) {
            case SENT -> toHost.increment();
            case HOST_BUFFER_FULL -> hostBufferFull.increment();
            case FAILED -> sendErrors.increment();
        }
        return true;
    }

    private UdpFlow open(UdpFlowKey key, long guestMac, int hostIp) {
        DatagramChannel ch;
        try {
            ch = DatagramChannel.open();
        } catch (IOException e) {
            openErrors.increment();
            return null;
        }
        try {
            ch.configureBlocking(false);
            ch.connect(new InetSocketAddress(Ipv4.toInetAddress(hostIp), key.destinationPort()));
        } catch (IOException e) {
            openErrors.increment();
            closeChannel(ch);
            return null;
        }
        UdpFlow flow = new UdpFlow(this, flows, key, guestMac, ch);
        UdpFlow raced = flows.admit(flow);
        if (raced != null) {
            closeChannel(ch);
            return raced;
        }
        if (!replies.add(flow) || closed) {
            flow.close();
        }
        return flow;
    }

    void reply(UdpFlow flow, MemorySegment payload) {
        UdpFlowKey k = flow.key;
        if (sender.send(flow.guestMac, k.destinationIp(), k.destinationPort(), k.guestIp(), k.guestPort(), payload)) {
            toGuest.increment();
        }
    }

    void portUnreachable(UdpFlow flow) {
        portUnreachable.increment();
        UdpFlowKey k = flow.key;
        icmp.send(flow.guestMac, k.guestIp(), k.guestPort(), k.destinationIp(), k.destinationPort());
    }

    /** Flows open now. */
    public int activeFlows() {
        return flows.size();
    }

    /** Closes every flow; later datagrams are dropped (counted). */
    @Override
    public void close() {
        closed = true;
        replies.close();
        flows.closeAll();
    }

    private static void closeChannel(DatagramChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }
}
