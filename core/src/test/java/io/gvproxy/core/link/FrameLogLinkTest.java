package io.gvproxy.core.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class FrameLogLinkTest {
    private static final byte[] GUEST = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xee};
    private static final byte[] GATEWAY = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xdd};

    private static ByteBuffer ethernet(int size, int type) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(GATEWAY).put(GUEST).putShort((short) type);
        return b;
    }

    /** IPv4 from 192.168.127.2 to 192.168.127.1 with {@code l4} bytes after a 20-byte header. */
    private static ByteBuffer ipv4(int proto, int l4, int fragment) {
        ByteBuffer b = ethernet(14 + 20 + l4, 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4)).putShort((short) 1).putShort((short) fragment)
                .put((byte) 64).put((byte) proto).putShort((short) 0)
                .put(new byte[]{(byte) 192, (byte) 168, 127, 2}).put(new byte[]{(byte) 192, (byte) 168, 127, 1});
        return b;
    }

    private static String line(ByteBuffer b) {
        return FrameLogLink.summarize(new StringBuilder(), "qemu", "rx", MemorySegment.ofArray(b.array()));
    }

    @Test
    void tcpSynAck() {
        ByteBuffer b = ipv4(6, 20 + 5, 0x4000);
        b.putShort((short) 43512).putShort((short) 80).putInt(1).putInt(2).put((byte) 0x50).put((byte) 0x12);
        assertEquals("qemu rx 59 5a:94:ef:e4:0c:ee > 5a:94:ef:e4:0c:dd IPv4 192.168.127.2:43512 > 192.168.127.1:80"
                + " TCP [S.] len 5", line(b));
    }

    @Test
    void tcpFinPushAck() {
        ByteBuffer b = ipv4(6, 20, 0);
        b.putShort((short) 1).putShort((short) 2).putInt(1).putInt(2).put((byte) 0x50).put((byte) 0x19);
        assertTrue(line(b).endsWith("192.168.127.2:1 > 192.168.127.1:2 TCP [FP.] len 0"), line(b));
    }

    @Test
    void udpIcmpAndFragments() {
        ByteBuffer udp = ipv4(17, 8 + 12, 0);
        udp.putShort((short) 68).putShort((short) 67);
        assertTrue(line(udp).endsWith("192.168.127.2:68 > 192.168.127.1:67 UDP len 12"), line(udp));
        ByteBuffer icmp = ipv4(1, 8, 0);
        icmp.put((byte) 8).put((byte) 0);
        assertTrue(line(icmp).endsWith("192.168.127.2 > 192.168.127.1 ICMP type 8 code 0 len 8"), line(icmp));
        ByteBuffer later = ipv4(17, 16, 0x0002);
        assertTrue(line(later).endsWith("192.168.127.2 > 192.168.127.1 UDP frag len 8"), line(later));
    }

    @Test
    void arpIpv6OtherAndShort() {
        ByteBuffer arp = ethernet(42, 0x0806);
        arp.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1).put(GUEST)
                .put(new byte[]{(byte) 192, (byte) 168, 127, 2}).put(new byte[6])
                .put(new byte[]{(byte) 192, (byte) 168, 127, 1});
        assertTrue(line(arp).endsWith(" ARP request 192.168.127.2 > 192.168.127.1"), line(arp));
        assertTrue(line(ethernet(54, 0x86DD)).endsWith(" IPv6"));
        assertTrue(line(ethernet(60, 0x88CC)).endsWith(" type 0x88cc"));
        assertEquals("qemu rx 3 (shorter than an Ethernet header)", line(ByteBuffer.allocate(3)));
        ByteBuffer cut = ByteBuffer.wrap(java.util.Arrays.copyOf(ipv4(6, 20, 0).array(), 30));
        assertTrue(line(cut).endsWith(" IPv4 (truncated or not version 4)"), line(cut));
    }

    /** Random bytes after random EtherTypes: a line, never an exception, and bounded in length. */
    @RepeatedTest(200)
    void anyBytesGiveABoundedLine(RepetitionInfo info) {
        long seed = 0xF2A3_0000L + info.getCurrentRepetition();
        Random r = new Random(seed);
        byte[] b = new byte[r.nextInt(120)];
        r.nextBytes(b);
        if (b.length >= 14) {
            int[] types = {0x0800, 0x0806, 0x86DD};
            int t = types[r.nextInt(types.length)];
            b[12] = (byte) (t >>> 8);
            b[13] = (byte) t;
            if (b.length > 14 && r.nextBoolean()) {
                b[14] = (byte) (0x40 | (b[14] & 0x0F));
            }
        }
        try {
            String s = FrameLogLink.summarize(new StringBuilder(), "qemu", "tx", MemorySegment.ofArray(b));
            assertTrue(s.length() <= 160, "seed " + seed + ": " + s);
        } catch (RuntimeException e) {
            fail("seed " + seed + ": " + e, e);
        }
    }

    @Test
    void passesFramesThroughAndLogsBothDirections() throws Exception {
        FramePool pool = FramePool.forMtu(1500);
        MemoryLink[] pair = MemoryLink.pair(4, pool);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (FrameLogLink logged = new FrameLogLink(pair[0], lines::add)) {
            byte[] frame = ipv4(17, 8, 0).array();
            logged.send(MemorySegment.ofArray(frame));
            pair[1].send(MemorySegment.ofArray(frame));
            Frame into = pool.acquire();
            try {
                assertTrue(logged.receive(into));
                assertEquals(frame.length, into.length());
            } finally {
                into.release();
            }
            Frame received = pool.acquire();
            try {
                assertTrue(pair[1].receive(received));
                assertEquals(frame.length, received.length());
            } finally {
                received.release();
            }
            assertEquals(2, lines.size());
            assertTrue(lines.get(0).startsWith(pair[0].name() + " tx 42 "), lines.get(0));
            assertTrue(lines.get(1).startsWith(pair[0].name() + " rx 42 "), lines.get(1));
            assertEquals(pair[0].name(), logged.name());
        }
    }
}
