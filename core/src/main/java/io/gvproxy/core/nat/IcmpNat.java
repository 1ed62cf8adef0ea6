package io.gvproxy.core.nat;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Ipv4Handler;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.Ipv4Packet;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The gateway's ICMP handler for everything but echo requests to the gateway IP: guest echo requests to other
 * addresses go out through host echo sockets ({@link EchoSocketFactory}), after the NAT table and the egress
 * policy, as TCP and UDP do. Replies reach the guest with its identifier, sequence and data, from the address it
 * pinged; ICMP errors the host hears about a request (unreachable, time exceeded) reach it as ICMP errors quoting
 * that request. When the host refuses echo sockets, nothing is answered: never a fake reply.
 *
 * <p>One socket per guest, identifier and destination: the host kernel gives each ping socket one identifier
 * and rewrites ours to it, so a socket shared by several guest identifiers could not tell whose reply came back
 * (sequence numbers of two pinging guests collide); per destination too, so that a reply's source can be checked
 * against the one address the socket pings. A ping session is then one flow. The table is bounded, the longest
 * idle flow evicted, and idle flows close.
 *
 * <p>Counters {@code nat.icmp.*}: {@code echo_requests} (well-formed guest echo requests), {@code requests_sent},
 * {@code replies_to_guest}, {@code unreachable_relayed}, {@code time_exceeded_relayed}, {@code flows_opened},
 * {@code idle_closed}, {@code evicted}, the gauge {@code active}, and one per drop: {@code malformed},
 * {@code bad_checksum}, {@code not_echo}, {@code bad_source}, {@code broadcast}, {@code link_local},
 * {@code denied}, {@code socket_denied}, {@code open_errors}, {@code send_errors}, {@code shutdown},
 * {@code reply_wrong_source}, {@code reply_too_large}, {@code error_ignored}, {@code error_malformed},
 * {@code output_errors}.
 */
public final class IcmpNat implements Ipv4Handler, AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final NatConfig config;
    private final EchoSocketFactory sockets;
    private final IcmpToGuest toGuest;
    private final int subnetBroadcast;
    private final long idleNanos;
    private final int capacity;
    private final BoundedFlowTable<IcmpFlowKey, IcmpFlow> flows;
    private volatile boolean closed;

    private final Counter requests;
    private final Counter sent;
    private final Counter replies;
    private final Counter unreachableRelayed;
    private final Counter timeExceededRelayed;
    final Counter idleClosed;
    private final Counter malformed;
    private final Counter badChecksum;
    private final Counter notEcho;
    private final Counter badSource;
    private final Counter broadcast;
    private final Counter linkLocal;
    private final Counter denied;
    private final Counter socketDenied;
    private final Counter openErrors;
    private final Counter sendErrors;
    private final Counter shutdown;
    private final Counter wrongSource;
    private final Counter tooLarge;
    private final Counter errorIgnored;
    private final Counter errorMalformed;
    private final Counter outputErrors;

    /**
     * @param pool            frames for replies and errors; their capacity also bounds the echo data relayed
     * @param output          where frames to guests go (the switch's gateway output)
     * @param gatewayMac      the source MAC of those frames
     * @param subnetBroadcast the virtual subnet's broadcast address, never pinged out
     */
    public IcmpNat(NatConfig config, IcmpNatConfig limits, EchoSocketFactory sockets, FramePool pool,
                   FrameSink output, long gatewayMac, int subnetBroadcast, Counters counters) {
        this.config = config;
        this.sockets = sockets;
        this.toGuest = new IcmpToGuest(pool, output, gatewayMac);
        this.subnetBroadcast = subnetBroadcast;
        this.idleNanos = limits.idleTimeout().toNanos();
        this.capacity = Math.max(Icmpv4Packet.HEADER_LENGTH, pool.frameCapacity());
        this.requests = counters.counter("nat.icmp.echo_requests");
        this.sent = counters.counter("nat.icmp.requests_sent");
        this.replies = counters.counter("nat.icmp.replies_to_guest");
        this.unreachableRelayed = counters.counter("nat.icmp.unreachable_relayed");
        this.timeExceededRelayed = counters.counter("nat.icmp.time_exceeded_relayed");
        this.flows = new BoundedFlowTable<>(limits.maxFlows(), counters.counter("nat.icmp.flows_opened"),
                counters.counter("nat.icmp.evicted"), counters.counter("nat.icmp.active"));
        this.idleClosed = counters.counter("nat.icmp.idle_closed");
        this.malformed = counters.counter("nat.icmp.malformed");
        this.badChecksum = counters.counter("nat.icmp.bad_checksum");
        this.notEcho = counters.counter("nat.icmp.not_echo");
        this.badSource = counters.counter("nat.icmp.bad_source");
        this.broadcast = counters.counter("nat.icmp.broadcast");
        this.linkLocal = counters.counter("nat.icmp.link_local");
        this.denied = counters.counter("nat.icmp.denied");
        this.socketDenied = counters.counter("nat.icmp.socket_denied");
        this.openErrors = counters.counter("nat.icmp.open_errors");
        this.sendErrors = counters.counter("nat.icmp.send_errors");
        this.shutdown = counters.counter("nat.icmp.shutdown");
        this.wrongSource = counters.counter("nat.icmp.reply_wrong_source");
        this.tooLarge = counters.counter("nat.icmp.reply_too_large");
        this.errorIgnored = counters.counter("nat.icmp.error_ignored");
        this.errorMalformed = counters.counter("nat.icmp.error_malformed");
        this.outputErrors = counters.counter("nat.icmp.output_errors");
    }

    /** Always takes the packet: every outcome is counted under {@code nat.icmp.}. */
    @Override
    public boolean handle(Frame frame, EthernetFrame ethernet, Ipv4Packet ip) {
        MemorySegment s = ip.segment();
        long at = ip.payloadOffset();
        int length = ip.payloadLength();
        if (length < Icmpv4Packet.HEADER_LENGTH) {
            malformed.increment();
            return true;
        }
        if (Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at)) != IcmpType.ECHO_REQUEST
                || s.get(ValueLayout.JAVA_BYTE, at + 1) != 0) {
            notEcho.increment();
            return true;
        }
        if (Checksum.sum(s, at, length) != 0xFFFF) {
            badChecksum.increment();
            return true;
        }
        requests.increment();
        int src = ip.sourceAddress();
        int dst = ip.destinationAddress();
        if (src == 0 || src == -1 || src == subnetBroadcast || (src >>> 28) == 0xE) {
            badSource.increment();
            return true;
        }
        if (dst == 0 || dst == -1 || dst == subnetBroadcast || (dst >>> 28) >= 0xE) {
            broadcast.increment();
            return true;
        }
        if (closed) {
            shutdown.increment();
            return true;
        }
        int identifier = Short.toUnsignedInt(s.get(U16, at + 4));
        IcmpFlowKey key = new IcmpFlowKey(src, identifier, dst);
        IcmpFlow flow = flows.get(key);
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
        int sequence = Short.toUnsignedInt(s.get(U16, at + 6));
        MemorySegment data = s.asSlice(at + Icmpv4Packet.HEADER_LENGTH, length - Icmpv4Packet.HEADER_LENGTH);
        if (flow.send(sequence, ip.ttl(), data)) {
            sent.increment();
        } else {
            sendErrors.increment();
        }
        return true;
    }

    private IcmpFlow open(IcmpFlowKey key, long guestMac, int hostIp) {
        EchoSocket socket;
        try {
            socket = sockets.open();
        } catch (EchoDeniedException e) {
            socketDenied.increment();
            return null;
        } catch (IOException | RuntimeException e) {
            openErrors.increment();
            return null;
        }
        IcmpFlow flow = new IcmpFlow(this, flows, key, guestMac, hostIp, socket, idleNanos, capacity);
        IcmpFlow raced = flows.admit(flow);
        if (raced != null) {
            socket.close();
            return raced;
        }
        flow.start();
        if (closed) {
            flow.close();
        }
        return flow;
    }

    /** On the flow's reader thread. */
    void received(IcmpFlow flow, EchoMessage m) {
        IcmpFlowKey k = flow.key;
        if (m.kind() == EchoMessage.Kind.REPLY) {
            if (m.source() != flow.hostIp) {
                wrongSource.increment();
                return;
            }
            count(toGuest.echoReply(flow.guestMac, k.destinationIp(), k.guestIp(), k.identifier(), m.sequence(),
                    m.data()), replies);
            return;
        }
        Counter relayed = switch (m.errorType()) {
            case IcmpType.DEST_UNREACHABLE -> unreachableRelayed;
            case IcmpType.TIME_EXCEEDED -> timeExceededRelayed;
            default -> null;
        };
        if (relayed == null) {
            errorIgnored.increment();
            return;
        }
        MemorySegment quote = m.data();
        if (quote.byteSize() < Icmpv4Packet.HEADER_LENGTH
                || Byte.toUnsignedInt(quote.get(ValueLayout.JAVA_BYTE, 0)) != IcmpType.ECHO_REQUEST
                || Short.toUnsignedInt(quote.get(U16, 4)) != k.identifier()) {
            errorMalformed.increment();
            return;
        }
        // The host-side destination reporting about itself (127.0.0.1 for the host IP) speaks as the pinged address.
        int from = m.source() == flow.hostIp || m.source() == 0 ? k.destinationIp() : m.source();
        count(toGuest.error(flow.guestMac, from, k.guestIp(), k.destinationIp(), m.errorType(), m.errorCode(),
                m.errorInfo(), quote), relayed);
    }

    private void count(int outcome, Counter success) {
        switch (outcome) {
            case IcmpToGuest.SENT -> success.increment();
            case IcmpToGuest.TOO_LARGE -> tooLarge.increment();
            default -> outputErrors.increment();
        }
    }

    /** Flows open now. */
    public int activeFlows() {
        return flows.size();
    }

    /** Closes every flow (waking its reader); later requests are dropped (counted). */
    @Override
    public void close() {
        closed = true;
        flows.closeAll();
    }
}
