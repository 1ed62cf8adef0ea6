package io.gvproxy.core.tcpip;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.tcp.TcpSegment;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.TcpOptions;

import java.lang.foreign.MemorySegment;

/**
 * Serialises an engine segment as one Ethernet + IPv4 + TCP frame in a pooled buffer: DF set (path MTU
 * discovery instead of fragmentation), TTL 64, IPv4 and TCP checksums always computed. Not thread-safe (its
 * options holder is scratch): one per connection, used under the connection's lock.
 */
final class SegmentFrameWriter {
    static final int TTL = 64;
    private static final int HEADERS = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
    private final TcpOptions options = new TcpOptions();
    /** SACK blocks left out for size since the last {@link #takeTrimmed()}. */
    private int trimmed;

    /**
     * Returns the frame (one reference, the caller's) or null when the segment does not fit the pool's frames,
     * which the MSS derived from the MTU rules out for the engine's own segments.
     */
    Frame write(FramePool pool, TcpSegment seg, long sourceMac, long destinationMac, int sourceIp, int sourcePort,
                int destinationIp, int destinationPort, int identification) {
        return write(pool, seg, Integer.MAX_VALUE, sourceMac, destinationMac, sourceIp, sourcePort, destinationIp,
                destinationPort, identification);
    }

    /**
     * As above with at most {@code maxOptionsAndPayload} bytes of TCP options plus payload: the peer's MSS
     * before options. The engine sizes payloads for the timestamp option only, so SACK blocks on a full data
     * segment would overrun the peer's MTU; trailing (oldest) blocks are left out until it fits, which RFC 2018
     * allows (the first block, the most recent, is kept whenever one fits).
     */
    Frame write(FramePool pool, TcpSegment seg, int maxOptionsAndPayload, long sourceMac, long destinationMac,
                int sourceIp, int sourcePort, int destinationIp, int destinationPort, int identification) {
        options.clear().mss(seg.mss()).windowScale(seg.windowScale()).sackPermitted(seg.sackPermitted());
        if (seg.hasTimestamps()) {
            options.timestamps(seg.tsVal(), seg.tsEcr());
        }
        int payload = seg.payloadLength();
        int blocks = seg.sackBlockCount();
        while (blocks > 0 && sackOptionBytes(blocks) + payload > maxOptionsAndPayload) {
            blocks--;
        }
        trimmed += seg.sackBlockCount() - blocks;
        for (int i = 0; i < blocks; i++) {
            options.addSackBlock(seg.sackLeft(i), seg.sackRight(i));
        }
        int tcpHeader = io.gvproxy.core.wire.TcpSegment.headerLength(options);
        int frameLength = HEADERS + tcpHeader + payload;
        Frame frame = pool.acquire();
        if (frameLength > frame.capacity()) {
            frame.release();
            return null;
        }
        MemorySegment out = frame.buffer();
        long ipAt = EthernetFrame.writeHeader(out, 0, destinationMac, sourceMac, EtherType.IPV4);
        long tcpAt = ipAt + Ipv4Packet.MIN_HEADER_LENGTH;
        if (payload > 0) {
            MemorySegment.copy(seg.payloadSource(), seg.payloadOffset(), out, tcpAt + tcpHeader, payload);
        }
        io.gvproxy.core.wire.TcpSegment.write(out, tcpAt, sourcePort, destinationPort, seg.seq(), seg.ack(),
                seg.flags(), seg.window(), 0, options, payload, sourceIp, destinationIp);
        Ipv4Packet.writeHeader(out, ipAt, 0, Ipv4Packet.MIN_HEADER_LENGTH + tcpHeader + payload,
                identification & 0xFFFF, Ipv4Packet.FLAG_DF, 0, TTL, IpProtocol.TCP, sourceIp, destinationIp);
        frame.setLength(frameLength);
        return frame;
    }

    private int sackOptionBytes(int blocks) {
        int n = (options.hasTimestamps() ? 10 : 0) + 2 + 8 * blocks;
        return (n + 3) & ~3;
    }

    int takeTrimmed() {
        int t = trimmed;
        trimmed = 0;
        return t;
    }
}
