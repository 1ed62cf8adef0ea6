package io.gvproxy.core.gateway;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.Malformed;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;

/** Answers ICMP echo requests addressed to the gateway IP, as the upstream gVisor stack does. */
final class EchoResponder {
    static final int REPLY_TTL = 64;

    private final long mac;
    private final int gatewayIp;
    private final int subnetBroadcast;
    private final boolean verifyChecksums;
    private final FramePool pool;
    private final ReplySender sender;
    private final AtomicInteger identification = new AtomicInteger();
    private final ReasonCounters malformed;
    private final Counter repliesSent;
    private final Counter badChecksum;
    private final Counter badSource;
    private final Counter tooLarge;

    EchoResponder(GatewayConfig config, Counters counters, FramePool pool, ReplySender sender) {
        this.mac = config.mac().bits();
        this.gatewayIp = config.ip();
        this.subnetBroadcast = config.subnet().broadcast();
        this.verifyChecksums = config.verifyChecksums();
        this.pool = pool;
        this.sender = sender;
        this.malformed = new ReasonCounters(counters, "gateway.icmp.");
        this.repliesSent = counters.counter("gateway.icmp.echo_replies_sent");
        this.badChecksum = counters.counter("gateway.icmp.bad_checksum");
        this.badSource = counters.counter("gateway.icmp.bad_source");
        this.tooLarge = counters.counter("gateway.icmp.reply_too_large");
    }

    /** Whether this responder owns the packet: an echo request to the gateway IP. */
    boolean claims(Ipv4Packet ip) {
        if (ip.protocol() != IpProtocol.ICMP || ip.destinationAddress() != gatewayIp || ip.payloadLength() < 1) {
            return false;
        }
        return Byte.toUnsignedInt(ip.segment().get(ValueLayout.JAVA_BYTE, ip.payloadOffset()))
                == IcmpType.ECHO_REQUEST;
    }

    void handle(EthernetFrame eth, Ipv4Packet ip, Icmpv4Packet icmp) {
        MemorySegment in = ip.segment();
        Malformed m = icmp.wrap(in, ip.payloadOffset(), ip.payloadLength());
        if (m != null) {
            malformed.increment(m);
            return;
        }
        if (verifyChecksums && !icmp.checksumValid()) {
            badChecksum.increment();
            return;
        }
        int src = ip.sourceAddress();
        // A reply to an unspecified, broadcast or multicast source would go nowhere or everywhere.
        if (src == 0 || src == -1 || src == subnetBroadcast || (src >>> 28) == 0xE) {
            badSource.increment();
            return;
        }
        int dataLength = (int) icmp.payloadLength();
        int ipLength = Ipv4Packet.MIN_HEADER_LENGTH + Icmpv4Packet.HEADER_LENGTH + dataLength;
        int frameLength = EthernetFrame.HEADER_LENGTH + ipLength;
        Frame reply = pool.acquire();
        if (frameLength > reply.capacity()) {
            reply.release();
            tooLarge.increment();
            return;
        }
        MemorySegment out = reply.buffer();
        long ipAt = EthernetFrame.writeHeader(out, 0, eth.source(), mac, EtherType.IPV4);
        long icmpAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
        MemorySegment.copy(in, icmp.payloadOffset(), out, icmpAt + Icmpv4Packet.HEADER_LENGTH, dataLength);
        Icmpv4Packet.write(out, icmpAt, IcmpType.ECHO_REPLY, 0, icmp.restOfHeader(), dataLength);
        Ipv4Packet.writeHeader(out, ipAt, ip.dscpEcn(), ipLength, identification.getAndIncrement() & 0xFFFF, 0, 0,
                REPLY_TTL, IpProtocol.ICMP, gatewayIp, src);
        reply.setLength(frameLength);
        sender.send(reply, repliesSent);
    }
}
