package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.RecordingLink;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.TcpSegment;
import io.gvproxy.ffm.VirtioNetHeader;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** gvforwarder's handling of tap frames with offloads, before and after gvproxy accepted large segments. */
class TapToHostTest {
    private static final int SRC = 0xC0A87F02;
    private static final int DST = 0xC0A87F01;
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Counters counters = new Counters();
    private final RecordingLink link = new RecordingLink();
    private final List<byte[]> sent = link.sent;
    private final FramePool pool = new FramePool(1514, 80);
    private final FramePool largePool = new FramePool(70_000, 4);
    private final VirtioNetHeader header = new VirtioNetHeader(Arena.ofAuto().allocate(VirtioNetHeader.SIZE));
    private boolean accepted;
    private final TapToHost toHost = new TapToHost(link, pool, () -> accepted, counters);

    /** A TCP/IPv4 frame as the guest hands it over with TSO: checksum field = pseudo-header sum. */
    private Frame superFrame(byte[] payload) {
        int total = 20 + 20 + payload.length;
        Frame f = largePool.acquire();
        MemorySegment s = f.buffer();
        long ipAt = EthernetFrame.writeHeader(s, 0, 0x0200_0000_0001L, 0x0200_0000_0002L, EtherType.IPV4);
        Ipv4Packet.writeHeader(s, ipAt, 0, total & 0xFFFF, 100, Ipv4Packet.FLAG_DF, 0, 64, IpProtocol.TCP, SRC, DST);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, s, 54, payload.length);
        TcpSegment.write(s, 34, 40000, 80, 1000, 1, TcpSegment.ACK | TcpSegment.PSH, 512, 0, null, payload.length,
                SRC, DST);
        s.set(BE16, 50, (short) Checksum.pseudoHeaderSum(SRC, DST, IpProtocol.TCP, 20 + payload.length));
        f.setLength(14 + total);
        header.set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 1448, 34, 16);
        return f;
    }

    private static void assertValidTcp(byte[] frame) {
        MemorySegment s = MemorySegment.ofArray(frame);
        assertEquals(0, Checksum.checksum(s, 14, 20), "IPv4 header checksum");
        int tcpLength = frame.length - 34;
        assertEquals(0, Checksum.finish(Checksum.sum(s, 34, tcpLength,
                Checksum.pseudoHeaderSum(SRC, DST, IpProtocol.TCP, tcpLength))) & 0xFFFF, "TCP checksum");
    }

    private byte[] joinedPayloads() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : sent) {
            out.write(f, 54, f.length - 54);
        }
        return out.toByteArray();
    }

    @Test
    void beforeAcceptanceASuperFrameLeavesAsMssSegments() throws Exception {
        byte[] payload = new byte[60_000];
        new Random(8).nextBytes(payload);
        Frame f = superFrame(payload);
        toHost.add(f, header);
        toHost.flush();
        f.release();
        assertEquals((60_000 + 1447) / 1448, sent.size());
        for (byte[] s : sent) {
            assertValidTcp(s);
        }
        assertArrayEquals(payload, joinedPayloads());
        assertEquals(1, counters.get("tap.rx_super_frames_segmented"));
    }

    @Test
    void afterAcceptanceASuperFrameLeavesWholeWithItsChecksumCompleted() throws Exception {
        accepted = true;
        byte[] payload = new byte[60_000];
        new Random(9).nextBytes(payload);
        Frame f = superFrame(payload);
        toHost.add(f, header);
        toHost.flush();
        f.release();
        assertEquals(1, sent.size());
        assertEquals(54 + 60_000, sent.getFirst().length);
        assertValidTcp(sent.getFirst());
        assertEquals(1, counters.get("tap.rx_super_frames_sent"));
    }

    @Test
    void aFrameTheFramingCannotCarryIsSegmentedEvenAfterAcceptance() throws Exception {
        accepted = true;
        Frame f = superFrame(new byte[65_535 - 40]);
        toHost.add(f, header);
        toHost.flush();
        f.release();
        assertEquals((65_495 + 1447) / 1448, sent.size());
        assertEquals(1, counters.get("tap.rx_super_frames_segmented"));
    }

    @Test
    void badChecksumOffsetsAndUnsupportedSegmentationAreCountedAndDropped() throws Exception {
        Frame f = superFrame(new byte[100]);
        header.set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 5000, 16);
        toHost.add(f, header);
        header.set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP, 0, 1448, 34, 6);
        toHost.add(f, header);
        header.set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 0, 0, 34, 16);
        toHost.add(f, header);
        toHost.flush();
        f.release();
        assertEquals(List.of(), sent);
        assertEquals(1, counters.get("tap.rx_checksum_offset_invalid"));
        assertEquals(2, counters.get("tap.rx_gso_dropped"));
    }

    @Test
    void aPlainFrameWithAPartialChecksumIsCompleted() throws Exception {
        Frame f = superFrame(new byte[700]);
        header.set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 34, 16);
        toHost.add(f, header);
        toHost.flush();
        f.release();
        assertEquals(1, sent.size());
        assertValidTcp(sent.getFirst());
    }
}
