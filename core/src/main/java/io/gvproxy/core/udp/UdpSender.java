package io.gvproxy.core.udp;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends UDP datagrams from the gateway as Ethernet frames built in the gateway's frame pool. A datagram larger
 * than the MTU is split into IPv4 fragments, as the upstream stack does for large DNS answers. Thread-safe
 * provided the sink is (the switch's gateway output is): DNS answers arrive on virtual threads.
 */
public final class UdpSender {
    public static final int TTL = 64;
    /** The largest UDP payload an IPv4 datagram can carry. */
    public static final int MAX_PAYLOAD = 65535 - Ipv4Packet.MIN_HEADER_LENGTH - UdpDatagram.HEADER_LENGTH;
    private static final ValueLayout.OfShort BE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final long sourceMac;
    private final int mtu;
    private final FramePool pool;
    private final FrameSink output;
    private final AtomicInteger identification = new AtomicInteger();
    private final Counter sent;
    private final Counter fragmented;
    private final Counter tooLarge;
    private final Counter outputErrors;

    /**
     * @param sourceMac the gateway's MAC
     * @param mtu       IP MTU of the link; frames never exceed it plus the Ethernet header
     */
    public UdpSender(long sourceMac, int mtu, FramePool pool, FrameSink output, Counters counters) {
        if (mtu < 68) {
            throw new IllegalArgumentException("MTU below 68: " + mtu);
        }
        if (mtu + EthernetFrame.HEADER_LENGTH > pool.frameCapacity()) {
            throw new IllegalArgumentException("pool frames of " + pool.frameCapacity() + " bytes cannot hold MTU " + mtu);
        }
        this.sourceMac = sourceMac;
        this.mtu = mtu;
        this.pool = pool;
        this.output = output;
        this.sent = counters.counter("udp.sent");
        this.fragmented = counters.counter("udp.sent_fragmented");
        this.tooLarge = counters.counter("udp.dropped_reply_too_large");
        this.outputErrors = counters.counter("udp.output_errors");
    }

    /**
     * Sends {@code payload} (read during the call only) from srcIp:srcPort to dstIp:dstPort in frames to
     * {@code destinationMac}; false when it was dropped (too large, or the sink failed), which is counted.
     */
    public boolean send(long destinationMac, int sourceIp, int sourcePort, int destinationIp, int destinationPort,
                        MemorySegment payload) {
        long size = payload.byteSize();
        if (size > MAX_PAYLOAD) {
            tooLarge.increment();
            return false;
        }
        int payloadLength = (int) size;
        int id = identification.getAndIncrement() & 0xFFFF;
        if (Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH + payloadLength <= mtu) {
            return sendWhole(destinationMac, sourceIp, sourcePort, destinationIp, destinationPort, payload,
                    payloadLength, id);
        }
        return sendFragments(destinationMac, sourceIp, sourcePort, destinationIp, destinationPort, payload,
                payloadLength, id);
    }

    private boolean sendWhole(long dstMac, int srcIp, int srcPort, int dstIp, int dstPort, MemorySegment payload,
                              int payloadLength, int id) {
        Frame frame = pool.acquire();
        MemorySegment out = frame.buffer();
        long ipAt = EthernetFrame.writeHeader(out, 0, dstMac, sourceMac, EtherType.IPV4);
        long udpAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
        MemorySegment.copy(payload, 0, out, udpAt + UdpDatagram.HEADER_LENGTH, payloadLength);
        long end = UdpDatagram.write(out, udpAt, srcPort, dstPort, payloadLength, srcIp, dstIp);
        Ipv4Packet.writeHeader(out, ipAt, 0, (int) (end - ipAt), id, 0, 0, TTL, IpProtocol.UDP, srcIp, dstIp);
        frame.setLength((int) end);
        return emit(frame);
    }

    private boolean sendFragments(long dstMac, int srcIp, int srcPort, int dstIp, int dstPort, MemorySegment payload,
                                  int payloadLength, int id) {
        int datagramLength = UdpDatagram.HEADER_LENGTH + payloadLength;
        int checksum = checksum(srcIp, dstIp, srcPort, dstPort, datagramLength, payload);
        // Every fragment but the last carries a multiple of 8 bytes (RFC 791).
        int perFragment = (mtu - Ipv4Packet.MIN_HEADER_LENGTH) & ~7;
        for (int offset = 0; offset < datagramLength; offset += perFragment) {
            int n = Math.min(perFragment, datagramLength - offset);
            boolean last = offset + n == datagramLength;
            Frame frame = pool.acquire();
            MemorySegment out = frame.buffer();
            long ipAt = EthernetFrame.writeHeader(out, 0, dstMac, sourceMac, EtherType.IPV4);
            long dataAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
            if (offset == 0) {
                out.set(BE_SHORT, dataAt, (short) srcPort);
                out.set(BE_SHORT, dataAt + 2, (short) dstPort);
                out.set(BE_SHORT, dataAt + 4, (short) datagramLength);
                out.set(BE_SHORT, dataAt + 6, (short) checksum);
                MemorySegment.copy(payload, 0, out, dataAt + UdpDatagram.HEADER_LENGTH, n - UdpDatagram.HEADER_LENGTH);
            } else {
                MemorySegment.copy(payload, offset - UdpDatagram.HEADER_LENGTH, out, dataAt, n);
            }
            Ipv4Packet.writeHeader(out, ipAt, 0, Ipv4Packet.MIN_HEADER_LENGTH + n, id, last ? 0 : Ipv4Packet.FLAG_MF,
                    offset, TTL, IpProtocol.UDP, srcIp, dstIp);
            frame.setLength((int) (dataAt + n));
            if (!emit(frame)) {
                return false; // the datagram cannot be reassembled any more; the rest would only waste the link
            }
        }
        fragmented.increment();
        return true;
    }

    private static int checksum(int srcIp, int dstIp, int srcPort, int dstPort, int datagramLength,
                                MemorySegment payload) {
        int header = Checksum.fold((long) srcPort + dstPort + datagramLength);
        int initial = Checksum.add(Checksum.pseudoHeaderSum(srcIp, dstIp, IpProtocol.UDP, datagramLength), header);
        int c = Checksum.finish(Checksum.sum(payload, 0, payload.byteSize(), initial));
        return c == 0 ? 0xFFFF : c;
    }

    /** Hands the frame to the sink and releases it, whatever the sink does. */
    private boolean emit(Frame frame) {
        try {
            output.accept(frame);
            sent.increment();
            return true;
        } catch (RuntimeException e) {
            outputErrors.increment();
            return false;
        } finally {
            frame.release();
        }
    }
}
