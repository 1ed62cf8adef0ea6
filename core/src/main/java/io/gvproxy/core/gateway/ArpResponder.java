package io.gvproxy.core.gateway;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.ArpPacket;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Malformed;

import java.lang.foreign.MemorySegment;

/**
 * Answers ARP requests for the gateway IP and the virtual IPs, and nothing else: upstream lets only those
 * replies out, so any other address of the subnet stays unreachable unless a guest owns it.
 */
final class ArpResponder {
    private static final int REPLY_LENGTH = EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH;

    private final long mac;
    private final int[] ownIps;
    private final FramePool pool;
    private final ReplySender sender;
    private final ReasonCounters malformed;
    private final Counter repliesSent;
    private final Counter notRequest;
    private final Counter gratuitous;
    private final Counter unknownTarget;
    private volatile ArpReplyListener replyListener;

    ArpResponder(GatewayConfig config, Counters counters, FramePool pool, ReplySender sender) {
        this.mac = config.mac().bits();
        int[] virtual = config.virtualIps();
        this.ownIps = new int[virtual.length + 1];
        ownIps[0] = config.ip();
        System.arraycopy(virtual, 0, ownIps, 1, virtual.length);
        this.pool = pool;
        this.sender = sender;
        this.malformed = new ReasonCounters(counters, "gateway.arp.");
        this.repliesSent = counters.counter("gateway.arp.replies_sent");
        this.notRequest = counters.counter("gateway.arp.not_request");
        this.gratuitous = counters.counter("gateway.arp.gratuitous");
        this.unknownTarget = counters.counter("gateway.arp.unknown_target");
    }

    void setReplyListener(ArpReplyListener listener) {
        this.replyListener = listener;
    }

    void handle(EthernetFrame eth, ArpPacket arp) {
        Malformed m = arp.wrap(eth.segment(), eth.payloadOffset(), eth.payloadLength());
        if (m != null) {
            malformed.increment(m);
            return;
        }
        if (arp.operation() != ArpPacket.OP_REQUEST) {
            ArpReplyListener l = replyListener;
            if (l != null && arp.operation() == ArpPacket.OP_REPLY) {
                l.onArpReply(arp.senderProtocolAddress(), arp.senderHardwareAddress());
            }
            notRequest.increment();
            return;
        }
        if (arp.isGratuitous()) {
            gratuitous.increment();
            return;
        }
        int target = arp.targetProtocolAddress();
        if (!isOwn(target)) {
            unknownTarget.increment();
            return;
        }
        long requesterMac = arp.senderHardwareAddress();
        Frame reply = pool.acquire();
        MemorySegment out = reply.buffer();
        long at = EthernetFrame.writeHeader(out, 0, requesterMac, mac, EtherType.ARP);
        ArpPacket.write(out, at, ArpPacket.OP_REPLY, mac, target, requesterMac, arp.senderProtocolAddress());
        reply.setLength(REPLY_LENGTH);
        sender.send(reply, repliesSent);
    }

    private boolean isOwn(int ip) {
        for (int own : ownIps) {
            if (own == ip) {
                return true;
            }
        }
        return false;
    }
}
