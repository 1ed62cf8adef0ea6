package io.gvproxy.core.udp;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static io.gvproxy.core.udp.UdpFrames.BROADCAST;
import static io.gvproxy.core.udp.UdpFrames.GATEWAY;
import static io.gvproxy.core.udp.UdpFrames.GATEWAY_MAC;
import static io.gvproxy.core.udp.UdpFrames.GUEST;
import static io.gvproxy.core.udp.UdpFrames.GUEST_MAC;
import static io.gvproxy.core.udp.UdpFrames.OTHER_MAC;
import static io.gvproxy.core.udp.UdpFrames.dhcp;
import static io.gvproxy.core.udp.UdpFrames.ip;
import static io.gvproxy.core.udp.UdpFrames.parse;
import static io.gvproxy.core.udp.UdpFrames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** DHCP through the whole network: guest frames in, reply frames out, addressed per RFC 2131 §4.1. */
@Timeout(30)
class DhcpOverUdpTest {
    static final int DISCOVER = 1;
    static final int OFFER = 2;
    static final int REQUEST = 3;
    static final int ACK = 5;
    static final int NAK = 6;
    static final int RELEASE = 7;
    static final int INFORM = 8;

    private static byte[] fromUnconfigured(MacAddress mac, byte[] dhcp) {
        return udp(mac, MacAddress.BROADCAST, 0, BROADCAST, 68, 67, dhcp);
    }

    @Test
    void broadcastFlagDiscoverGetsBroadcastOfferOfTheStaticLease() throws Exception {
        try (GuestEnd g = new GuestEnd(NetworkConfig.defaults().withDnsSearchDomains(List.of("containers.internal")))) {
            g.send(fromUnconfigured(GUEST_MAC, dhcp(DISCOVER, GUEST_MAC, 0x1111, true, 0, 0)));
            UdpFrames.Reply r = parse(g.next(5_000));
            assertEquals(MacAddress.BROADCAST.bits(), r.dstMac());
            assertEquals(GATEWAY_MAC.bits(), r.srcMac());
            assertEquals(GATEWAY, r.srcIp());
            assertEquals(BROADCAST, r.dstIp());
            assertEquals(67, r.srcPort());
            assertEquals(68, r.dstPort());
            assertEquals(OFFER, r.dhcpType());
            assertEquals(GUEST, r.yiaddr());
            assertEquals(0x8000, r.flags(), "flags echoed");
            Map<Integer, byte[]> o = r.dhcpOptions();
            assertArrayEquals(ip(0xFFFFFF00), o.get(1), "netmask");
            assertArrayEquals(ip(GATEWAY), o.get(3), "router");
            assertArrayEquals(ip(GATEWAY), o.get(6), "dns");
            assertArrayEquals(new byte[] {0x05, (byte) 0xDC}, o.get(26), "mtu 1500");
            assertEquals(3600, ByteBuffer.wrap(o.get(51)).getInt(), "lease time");
            assertArrayEquals(ip(GATEWAY), o.get(54), "server id");
            assertNotNull(o.get(119), "search domains");
            assertNull(o.get(15), "no domain name unless configured");
        }
    }

    @Test
    void discoverWithoutBroadcastFlagIsUnicastToChaddrAndYiaddr() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            g.send(fromUnconfigured(GUEST_MAC, dhcp(DISCOVER, GUEST_MAC, 0x2222, false, 0, 0)));
            UdpFrames.Reply r = parse(g.next(5_000));
            assertEquals(GUEST_MAC.bits(), r.dstMac());
            assertEquals(GUEST, r.dstIp());
            assertEquals(68, r.dstPort());
            assertEquals(OFFER, r.dhcpType());
        }
    }

    @Test
    void secondMacGetsNextAddressAndFullHandshakeAcks() throws Exception {
        try (GuestEnd g = new GuestEnd(NetworkConfig.forSubnet(NetworkConfig.DEFAULT_SUBNET, 4000))) {
            g.send(fromUnconfigured(OTHER_MAC, dhcp(DISCOVER, OTHER_MAC, 0x3333, true, 0, 0)));
            UdpFrames.Reply offer = parse(g.next(5_000));
            int third = Ipv4.parse("192.168.127.3");
            assertEquals(third, offer.yiaddr());
            assertArrayEquals(new byte[] {0x0F, (byte) 0xA0}, offer.dhcpOptions().get(26), "mtu 4000");
            g.send(fromUnconfigured(OTHER_MAC, dhcp(REQUEST, OTHER_MAC, 0x3333, true, 0, 0,
                    50, ip(third), 54, ip(GATEWAY))));
            UdpFrames.Reply ack = parse(g.next(5_000));
            assertEquals(ACK, ack.dhcpType());
            assertEquals(third, ack.yiaddr());
            assertEquals(1, g.counters.get("dhcp.acks"));
        }
    }

    @Test
    void renewalUnicastToGatewayIsAnsweredToCiaddr() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            byte[] renew = dhcp(REQUEST, GUEST_MAC, 0x4444, false, GUEST, 0);
            g.send(udp(GUEST_MAC, GATEWAY_MAC, GUEST, GATEWAY, 68, 67, renew));
            UdpFrames.Reply r = parse(g.next(5_000));
            assertEquals(ACK, r.dhcpType());
            assertEquals(GUEST_MAC.bits(), r.dstMac());
            assertEquals(GUEST, r.dstIp());
            assertEquals(68, r.dstPort());
        }
    }

    @Test
    void requestForAnotherAddressIsNakedByBroadcast() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            g.send(fromUnconfigured(GUEST_MAC, dhcp(REQUEST, GUEST_MAC, 0x6666, false, 0, 0,
                    50, ip(Ipv4.parse("192.168.127.99")))));
            UdpFrames.Reply r = parse(g.next(5_000));
            assertEquals(NAK, r.dhcpType());
            assertEquals(MacAddress.BROADCAST.bits(), r.dstMac());
            assertEquals(BROADCAST, r.dstIp());
            assertEquals(0, r.yiaddr());
        }
    }

    @Test
    void informIsAckedToCiaddrWithoutLeaseTimeAndClientIdIsEchoed() throws Exception {
        byte[] clientId = {1, 0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xee};
        try (GuestEnd g = new GuestEnd()) {
            g.send(udp(GUEST_MAC, GATEWAY_MAC, GUEST, GATEWAY, 68, 67,
                    dhcp(INFORM, GUEST_MAC, 0x7777, false, GUEST, 0, 61, clientId)));
            UdpFrames.Reply r = parse(g.next(5_000));
            assertEquals(ACK, r.dhcpType());
            assertEquals(GUEST_MAC.bits(), r.dstMac());
            assertEquals(GUEST, r.dstIp());
            assertEquals(0, r.yiaddr());
            assertNull(r.dhcpOptions().get(51), "no lease time in an INFORM ACK");
            assertArrayEquals(clientId, r.dhcpOptions().get(61), "client id echoed");
        }
    }

    @Test
    void relayedDiscoverGoesBackToTheRelayOnPort67() throws Exception {
        MacAddress relayMac = MacAddress.parse("02:00:00:00:00:99");
        int relay = Ipv4.parse("192.168.127.50");
        try (GuestEnd g = new GuestEnd()) {
            g.send(udp(relayMac, GATEWAY_MAC, relay, GATEWAY, 67, 67, dhcp(DISCOVER, OTHER_MAC, 0x5555, false, 0, relay)));
            UdpFrames.Reply r = parse(g.next(5_000));
            assertEquals(relayMac.bits(), r.dstMac());
            assertEquals(relay, r.dstIp());
            assertEquals(67, r.dstPort());
            assertEquals(OFFER, r.dhcpType());
        }
    }

    @Test
    void releaseSendsNothingAndFreesTheLeaseForTheNextDiscover() throws Exception {
        try (GuestEnd g = new GuestEnd()) {
            int third = Ipv4.parse("192.168.127.3");
            g.send(fromUnconfigured(OTHER_MAC, dhcp(DISCOVER, OTHER_MAC, 1, true, 0, 0)));
            assertEquals(OFFER, parse(g.next(5_000)).dhcpType());
            g.send(fromUnconfigured(OTHER_MAC, dhcp(REQUEST, OTHER_MAC, 1, true, 0, 0, 50, ip(third), 54, ip(GATEWAY))));
            assertEquals(ACK, parse(g.next(5_000)).dhcpType());
            g.send(udp(OTHER_MAC, GATEWAY_MAC, third, GATEWAY, 68, 67,
                    dhcp(RELEASE, OTHER_MAC, 2, false, third, 0, 54, ip(GATEWAY))));
            assertEquals(1, g.awaitCounter("dhcp.releases", 1));
            assertNull(g.next(200), "no reply to RELEASE");
            g.send(fromUnconfigured(OTHER_MAC, dhcp(DISCOVER, OTHER_MAC, 3, true, 0, 0, 50, ip(third))));
            assertEquals(third, parse(g.next(5_000)).yiaddr());
        }
    }
}
