package io.gvproxy.core.udp;

import io.gvproxy.core.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static io.gvproxy.core.udp.UdpFrames.GATEWAY;
import static io.gvproxy.core.udp.UdpFrames.GATEWAY_MAC;
import static io.gvproxy.core.udp.UdpFrames.GUEST;
import static io.gvproxy.core.udp.UdpFrames.GUEST_MAC;
import static io.gvproxy.core.udp.UdpFrames.dnsQuery;
import static io.gvproxy.core.udp.UdpFrames.parse;
import static io.gvproxy.core.udp.UdpFrames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Bad UDP is counted and dropped at the gateway; nothing is answered. */
@Timeout(30)
class UdpDispatcherTest {
    private static byte[] dns() {
        return udp(GUEST_MAC, GATEWAY_MAC, GUEST, GATEWAY, 40000, 53, dnsQuery(9, "host.containers.internal", 1));
    }

    /** Rewrites the IPv4 header checksum after a header field changed. */
    private static void fixIpChecksum(byte[] f) {
        f[24] = 0;
        f[25] = 0;
        long sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += ((f[i] & 0xFF) << 8) | (f[i + 1] & 0xFF);
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        int c = (int) ~sum & 0xFFFF;
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
    }

    @Test
    void badChecksumIsCountedAndDropped() throws Exception {
        byte[] f = dns();
        f[f.length - 1] ^= 0x01;
        try (GuestEnd g = new GuestEnd()) {
            g.send(f);
            assertEquals(1, g.awaitCounter("udp.bad_checksum", 1));
            assertNull(g.next(200));
            assertEquals(0, g.counters.get("udp.delivered"));
        }
    }

    @Test
    void lengthFieldBeyondThePacketIsTruncated() throws Exception {
        byte[] f = dns();
        ByteBuffer.wrap(f).putShort(38, (short) (f.length - 34 + 1));
        try (GuestEnd g = new GuestEnd()) {
            g.send(f);
            assertEquals(1, g.awaitCounter("udp.truncated", 1));
            assertNull(g.next(200));
        }
    }

    @Test
    void lengthFieldBelowHeaderIsBadTotalLength() throws Exception {
        byte[] f = dns();
        ByteBuffer.wrap(f).putShort(38, (short) 7);
        try (GuestEnd g = new GuestEnd()) {
            g.send(f);
            assertEquals(1, g.awaitCounter("udp.bad_total_length", 1));
        }
    }

    @Test
    void packetShorterThanAUdpHeaderIsTruncated() throws Exception {
        byte[] f = new byte[14 + 20 + 4];
        System.arraycopy(dns(), 0, f, 0, f.length);
        ByteBuffer.wrap(f).putShort(16, (short) 24);
        fixIpChecksum(f);
        try (GuestEnd g = new GuestEnd()) {
            g.send(f);
            assertEquals(1, g.awaitCounter("udp.truncated", 1));
        }
    }

    @Test
    void zeroChecksumMeansNoneAndIsAccepted() throws Exception {
        byte[] f = dns();
        f[40] = 0;
        f[41] = 0;
        try (GuestEnd g = new GuestEnd()) {
            g.send(f);
            assertEquals(53, parse(g.next(5_000)).srcPort());
        }
    }

    @Test
    void unboundPortsAndOtherDestinationsAreCountedAsNoService() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            g.send(udp(GUEST_MAC, GATEWAY_MAC, GUEST, GATEWAY, 40000, 5353, new byte[4]));
            g.send(udp(GUEST_MAC, MacAddress.BROADCAST, GUEST, -1, 40000, 53, new byte[4]));
            g.send(udp(GUEST_MAC, GATEWAY_MAC, GUEST, 0x0A000001, 40000, 53, new byte[4]));
            // Multicast frames never reach the gateway; a multicast IP inside a unicast frame still finds nobody.
            g.send(udp(GUEST_MAC, GATEWAY_MAC, GUEST, 0xE00000FB, 5353, 5353, new byte[4]));
            assertEquals(4, g.awaitCounter("udp.no_service", 4));
            assertNull(g.next(200));
        }
    }

    @Test
    void fallbackTakesUnicastToOtherAddresses() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            int[] seen = new int[1];
            g.network.udp().setFallback((eth, ip, udp) -> {
                seen[0] = udp.destinationPort();
                return false;
            });
            g.send(udp(GUEST_MAC, GATEWAY_MAC, GUEST, 0x0A000001, 40000, 1234, new byte[4]));
            assertEquals(1, g.awaitCounter("udp.refused", 1));
            assertEquals(1234, seen[0]);
        }
    }

    @Test
    void dnsQueryFromUnspecifiedSourceIsNotAnswered() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            g.send(udp(GUEST_MAC, GATEWAY_MAC, 0, GATEWAY, 40000, 53, dnsQuery(9, "host.containers.internal", 1)));
            assertEquals(1, g.awaitCounter("udp.dns.dropped_bad_source", 1));
            assertNull(g.next(200));
        }
    }
}
