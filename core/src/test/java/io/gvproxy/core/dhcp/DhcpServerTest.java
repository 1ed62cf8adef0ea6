package io.gvproxy.core.dhcp;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.gvproxy.core.dhcp.DhcpMessageType.*;
import static org.junit.jupiter.api.Assertions.*;

class DhcpServerTest {
    static final MacAddress GUEST = DhcpConfig.DEFAULT_GUEST_MAC;
    static final MacAddress OTHER = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress THIRD = MacAddress.parse("02:00:00:00:00:02");
    static final int GW = Ipv4.parse("192.168.127.1");
    static final long T0 = 1_000_000;

    final Counters counters = new Counters();
    DhcpServer server = new DhcpServer(DhcpConfig.defaults(List.of("example.com")), counters);

    static int ip(String s) {
        return Ipv4.parse(s);
    }

    DhcpReply send(DhcpRequestBuilder b, long now) {
        Optional<DhcpReply> r = server.handle(b.segment(), now);
        assertTrue(r.isPresent(), "expected a reply");
        return r.get();
    }

    void silent(DhcpRequestBuilder b, long now) {
        assertEquals(Optional.empty(), server.handle(b.segment(), now));
    }

    /** DISCOVER then REQUEST in SELECTING state; returns the ACKed address. */
    int lease(MacAddress mac, long now) {
        DhcpMessage offer = DhcpReplies.parse(send(DhcpRequestBuilder.of(DISCOVER, mac), now));
        assertEquals(OFFER, offer.options().messageType());
        DhcpMessage ack = DhcpReplies.parse(send(DhcpRequestBuilder.of(REQUEST, mac)
                .ipOption(DhcpOptions.SERVER_ID, server.config().gatewayIp())
                .ipOption(DhcpOptions.REQUESTED_IP, offer.yiaddr()), now));
        assertEquals(ACK, ack.options().messageType());
        assertEquals(offer.yiaddr(), ack.yiaddr());
        return ack.yiaddr();
    }

    @Test
    void staticLeaseMacGetsDeviceIpAndASecondMacGetsDot3() {
        assertEquals(ip("192.168.127.2"), lease(GUEST, T0));
        assertEquals(ip("192.168.127.3"), lease(OTHER, T0));
        assertEquals(ip("192.168.127.4"), lease(THIRD, T0));
        List<Lease> leases = server.leases(T0);
        assertEquals(List.of(ip("192.168.127.2"), ip("192.168.127.3"), ip("192.168.127.4")),
                leases.stream().map(Lease::ip).toList());
        assertTrue(leases.get(0).permanent());
        assertEquals(OTHER, leases.get(1).mac());
        assertEquals(T0 + 3_600_000, leases.get(1).expiresAtMillis());
    }

    @Test
    void offerCarriesEveryOptionByteExactInDefaultOrder() {
        DhcpReply r = send(DhcpRequestBuilder.of(DISCOVER, GUEST).xid(0xCAFEBABE).broadcast(), T0);
        byte[] b = r.payload().toArray(ValueLayout.JAVA_BYTE);
        assertEquals(305, b.length);
        assertEquals("020106" + "00" + "cafebabe" + "0000" + "8000" + "00000000" + "c0a87f02" + "00000000"
                + "00000000" + "5a94efe40cee", HexFormat.of().formatHex(b, 0, 34));
        String options = "350102" + "3604c0a87f01" + "330400000e10" + "3a0400000708" + "3b0400000c4e"
                + "0104ffffff00" + "0304c0a87f01" + "0604c0a87f01" + "1a0205dc"
                + "770d076578616d706c6503636f6d00" + "ff";
        assertEquals("63825363" + options, HexFormat.of().formatHex(b, 236, 240 + options.length() / 2));
        for (int i = 240 + options.length() / 2; i < b.length; i++) {
            assertEquals(0, b[i]);
        }
    }

    @Test
    void parameterRequestListOrderComesFirstThenTheRest() {
        DhcpReply r = send(DhcpRequestBuilder.of(DISCOVER, GUEST)
                .option(DhcpOptions.PARAMETER_REQUEST_LIST, (byte) 6, (byte) 42, (byte) 3, (byte) 1, (byte) 6), T0);
        assertEquals(List.of(53, 54, 6, 3, 1, 51, 58, 59, 26, 119), DhcpReplies.codes(r));
    }

    @Test
    void domainNameOnlyWhenConfiguredAndSearchOmittedWhenEmpty() {
        server = new DhcpServer(DhcpConfig.defaults(List.of()).withDomainName("lab.test."), counters);
        DhcpReply r = send(DhcpRequestBuilder.of(DISCOVER, GUEST), T0);
        assertEquals(List.of(53, 54, 51, 58, 59, 1, 3, 6, 26, 15), DhcpReplies.codes(r));
        assertEquals("lab.test", new String(DhcpReplies.parse(r).options().get(DhcpOptions.DOMAIN_NAME)));
    }

    @Test
    void leaseTimesFollowConfiguredLease() {
        server = new DhcpServer(DhcpConfig.defaults(List.of()).withLeaseSeconds(1000), counters);
        DhcpOptions o = DhcpReplies.parse(send(DhcpRequestBuilder.of(DISCOVER, OTHER), T0)).options();
        assertEquals(1000, o.ipv4(DhcpOptions.LEASE_TIME).getAsInt());
        assertEquals(500, o.ipv4(DhcpOptions.RENEWAL_TIME).getAsInt());
        assertEquals(875, o.ipv4(DhcpOptions.REBINDING_TIME).getAsInt());
    }

    @Test
    void clientIdAndRelayAgentInfoAreEchoed() {
        byte[] clientId = {1, 2, 3, 4, 5, 6, 7};
        byte[] relay = {1, 3, 'a', 'b', 'c'};
        DhcpReply r = send(DhcpRequestBuilder.of(DISCOVER, OTHER).option(DhcpOptions.CLIENT_ID, clientId)
                .option(DhcpOptions.RELAY_AGENT_INFO, relay), T0);
        DhcpOptions o = DhcpReplies.parse(r).options();
        assertArrayEquals(clientId, o.get(DhcpOptions.CLIENT_ID));
        assertArrayEquals(relay, o.get(DhcpOptions.RELAY_AGENT_INFO));
        List<Integer> codes = DhcpReplies.codes(r);
        assertEquals(DhcpOptions.RELAY_AGENT_INFO, codes.getLast());
        DhcpReply nak = send(DhcpRequestBuilder.of(REQUEST, OTHER).option(DhcpOptions.CLIENT_ID, clientId)
                .ipOption(DhcpOptions.REQUESTED_IP, ip("10.0.0.5")), T0);
        assertArrayEquals(clientId, DhcpReplies.parse(nak).options().get(DhcpOptions.CLIENT_ID));
    }

    @Test
    void initRebootAcksOwnAddressAndNaksOthers() {
        int mine = lease(OTHER, T0);
        DhcpReply ack = send(DhcpRequestBuilder.of(REQUEST, OTHER).ipOption(DhcpOptions.REQUESTED_IP, mine), T0 + 5);
        assertEquals(ACK, DhcpReplies.parse(ack).options().messageType());
        assertEquals(mine, DhcpReplies.parse(ack).yiaddr());
        // Another client's address, a static lease's address, the gateway, outside the subnet, broadcast.
        for (int bad : new int[] {mine, ip("192.168.127.2"), GW, ip("10.1.2.3"), ip("192.168.127.255"),
                ip("192.168.127.254")}) {
            DhcpReply nak = send(DhcpRequestBuilder.of(REQUEST, THIRD).ipOption(DhcpOptions.REQUESTED_IP, bad), T0);
            DhcpMessage m = DhcpReplies.parse(nak);
            assertEquals(NAK, m.options().messageType(), Ipv4.toString(bad));
            assertEquals(0, m.yiaddr());
            assertEquals(DhcpReply.Delivery.BROADCAST, nak.delivery());
        }
        // The static MAC asking for anything but its own address.
        DhcpReply nak = send(DhcpRequestBuilder.of(REQUEST, GUEST).ipOption(DhcpOptions.REQUESTED_IP,
                ip("192.168.127.50")), T0);
        assertEquals(NAK, DhcpReplies.parse(nak).options().messageType());
        assertEquals(7, counters.get("dhcp.naks"));
    }

    @Test
    void initRebootGrantsAFreeAddressAfterARestart() {
        DhcpReply ack = send(DhcpRequestBuilder.of(REQUEST, OTHER).ipOption(DhcpOptions.REQUESTED_IP,
                ip("192.168.127.77")), T0);
        assertEquals(ACK, DhcpReplies.parse(ack).options().messageType());
        assertEquals(ip("192.168.127.77"), server.leases(T0).get(1).ip());
    }

    @Test
    void selectingWithTheWrongAddressIsNakedAndWithoutOneIsDropped() {
        send(DhcpRequestBuilder.of(DISCOVER, OTHER), T0);
        lease(THIRD, T0);
        DhcpReply nak = send(DhcpRequestBuilder.of(REQUEST, OTHER).ipOption(DhcpOptions.SERVER_ID, GW)
                .ipOption(DhcpOptions.REQUESTED_IP, ip("192.168.127.4")), T0);
        assertEquals(NAK, DhcpReplies.parse(nak).options().messageType());
        silent(DhcpRequestBuilder.of(REQUEST, OTHER).ipOption(DhcpOptions.SERVER_ID, GW), T0);
        silent(DhcpRequestBuilder.of(REQUEST, OTHER), T0);
        assertEquals(2, counters.get("dhcp.dropped_request_without_address"));
    }

    @Test
    void choosingAnotherServerFreesTheOffer() {
        server = new DhcpServer(smallPool(), counters);
        lease(mac(1), T0);
        lease(mac(2), T0);
        int offered = DhcpReplies.parse(send(DhcpRequestBuilder.of(DISCOVER, OTHER), T0)).yiaddr();
        silent(DhcpRequestBuilder.of(DISCOVER, THIRD), T0);
        assertEquals(1, counters.get("dhcp.pool_exhausted"), "the offer holds the last address");
        silent(DhcpRequestBuilder.of(REQUEST, OTHER).ipOption(DhcpOptions.SERVER_ID, ip("192.168.100.9"))
                .ipOption(DhcpOptions.REQUESTED_IP, offered), T0);
        assertEquals(1, counters.get("dhcp.other_server_selected"));
        assertEquals(offered, lease(THIRD, T0 + 1));
    }

    @Test
    void offeredAddressIsHeldForTheClient() {
        int offered = DhcpReplies.parse(send(DhcpRequestBuilder.of(DISCOVER, OTHER), T0)).yiaddr();
        assertNotEquals(offered, lease(THIRD, T0 + 1));
        assertTrue(server.leases(T0).stream().noneMatch(l -> l.mac().equals(OTHER)), "an offer is not a lease");
    }

    @Test
    void renewingAndRebindingExtendTheLeaseAndAreUnicastToCiaddr() {
        int mine = lease(OTHER, T0);
        long later = T0 + 1_800_000;
        DhcpReply renew = send(DhcpRequestBuilder.of(REQUEST, OTHER).ciaddr(mine), later);
        DhcpMessage m = DhcpReplies.parse(renew);
        assertEquals(ACK, m.options().messageType());
        assertEquals(mine, m.ciaddr());
        assertEquals(mine, m.yiaddr());
        assertEquals(DhcpReply.Delivery.UNICAST, renew.delivery());
        assertEquals(mine, renew.destinationIp());
        assertEquals(68, renew.destinationPort());
        assertEquals(OTHER, renew.destinationMac());
        DhcpReply rebind = send(DhcpRequestBuilder.of(REQUEST, OTHER).ciaddr(mine).broadcast(), later);
        assertEquals(DhcpReply.Delivery.UNICAST, rebind.delivery());
        assertEquals(later + 3_600_000, server.leases(later).get(1).expiresAtMillis());
        DhcpReply nak = send(DhcpRequestBuilder.of(REQUEST, THIRD).ciaddr(mine), later);
        assertEquals(NAK, DhcpReplies.parse(nak).options().messageType());
    }

    @Test
    void replyAddressingFollowsRfc2131() {
        DhcpReply bcast = send(DhcpRequestBuilder.of(DISCOVER, OTHER).broadcast(), T0);
        assertEquals(DhcpReply.Delivery.BROADCAST, bcast.delivery());
        assertEquals(-1, bcast.destinationIp());
        assertEquals(MacAddress.BROADCAST, bcast.destinationMac());
        assertEquals(68, bcast.destinationPort());
        DhcpReply unicast = send(DhcpRequestBuilder.of(DISCOVER, OTHER), T0);
        assertEquals(DhcpReply.Delivery.UNICAST, unicast.delivery());
        assertEquals(DhcpReplies.parse(unicast).yiaddr(), unicast.destinationIp());
        assertEquals(OTHER, unicast.destinationMac());
        int relay = ip("192.168.127.200");
        DhcpReply relayed = send(DhcpRequestBuilder.of(DISCOVER, THIRD).giaddr(relay), T0);
        assertEquals(DhcpReply.Delivery.RELAY, relayed.delivery());
        assertEquals(relay, relayed.destinationIp());
        assertEquals(67, relayed.destinationPort());
        assertNull(relayed.destinationMac());
        assertEquals(relay, DhcpReplies.parse(relayed).giaddr());
        DhcpReply relayedNak = send(DhcpRequestBuilder.of(REQUEST, THIRD).giaddr(relay)
                .ipOption(DhcpOptions.REQUESTED_IP, GW), T0);
        assertEquals(DhcpReply.Delivery.RELAY, relayedNak.delivery());
        assertTrue(DhcpReplies.parse(relayedNak).broadcastFlag());
    }

    @Test
    void releaseFreesTheLeaseAndTheMacGetsItBack() {
        int mine = lease(OTHER, T0);
        silent(DhcpRequestBuilder.of(RELEASE, OTHER).ciaddr(mine), T0 + 10);
        assertEquals(1, counters.get("dhcp.releases"));
        assertTrue(server.leases(T0 + 10).stream().noneMatch(l -> l.mac().equals(OTHER)));
        silent(DhcpRequestBuilder.of(RELEASE, THIRD).ciaddr(mine), T0 + 10);
        assertEquals(1, counters.get("dhcp.releases"));
        assertEquals(1, counters.get("dhcp.dropped_release_unknown_lease"), "only the holder can release");
        assertEquals(mine, lease(OTHER, T0 + 20));
    }

    @Test
    void declinedAddressStaysOutOfThePoolForTheHold() {
        int first = lease(OTHER, T0);
        silent(DhcpRequestBuilder.of(DECLINE, OTHER).ipOption(DhcpOptions.SERVER_ID, GW)
                .ipOption(DhcpOptions.REQUESTED_IP, first), T0);
        assertEquals(1, counters.get("dhcp.declines"));
        silent(DhcpRequestBuilder.of(DECLINE, OTHER).ipOption(DhcpOptions.SERVER_ID, ip("192.168.127.9"))
                .ipOption(DhcpOptions.REQUESTED_IP, first), T0);
        silent(DhcpRequestBuilder.of(DECLINE, OTHER), T0);
        assertEquals(2, counters.get("dhcp.dropped_decline_invalid"));
        silent(DhcpRequestBuilder.of(DECLINE, THIRD).ipOption(DhcpOptions.REQUESTED_IP, first), T0);
        assertEquals(1, counters.get("dhcp.dropped_decline_unknown_lease"));
        int second = lease(OTHER, T0 + 1);
        assertNotEquals(first, second);
        assertEquals(NAK, DhcpReplies.parse(send(DhcpRequestBuilder.of(REQUEST, THIRD)
                .ipOption(DhcpOptions.REQUESTED_IP, first), T0 + 2)).options().messageType());
        long afterHold = T0 + DhcpConfig.DEFAULT_DECLINE_HOLD_SECONDS * 1000L;
        assertEquals(ACK, DhcpReplies.parse(send(DhcpRequestBuilder.of(REQUEST, THIRD)
                .ipOption(DhcpOptions.REQUESTED_IP, first), afterHold)).options().messageType());
    }

    @Test
    void informIsAckedWithoutLeaseFields() {
        int ciaddr = ip("192.168.127.60");
        DhcpReply r = send(DhcpRequestBuilder.of(INFORM, OTHER).ciaddr(ciaddr), T0);
        DhcpMessage m = DhcpReplies.parse(r);
        assertEquals(ACK, m.options().messageType());
        assertEquals(0, m.yiaddr());
        assertEquals(ciaddr, m.ciaddr());
        assertEquals(List.of(53, 54, 1, 3, 6, 26, 119), DhcpReplies.codes(r));
        assertEquals(DhcpReply.Delivery.UNICAST, r.delivery());
        assertEquals(ciaddr, r.destinationIp());
        assertTrue(server.leases(T0).stream().noneMatch(l -> l.mac().equals(OTHER)));
    }

    @Test
    void leasesExpireAndTheMacGetsItsAddressBackWhileStillFree() {
        server = new DhcpServer(smallPool(), counters);
        int a = lease(OTHER, T0);
        long expired = T0 + 3_600_000;
        assertTrue(server.leases(expired).stream().noneMatch(l -> l.mac().equals(OTHER)));
        int b = lease(THIRD, expired);
        assertNotEquals(a, b, "never-used addresses go first");
        assertEquals(a, lease(OTHER, expired + 1));
    }

    @Test
    void expiredAddressesAreReclaimedWhenThePoolIsFull() {
        server = new DhcpServer(smallPool(), counters);
        // Pool of 192.168.100.0/29 = .3 .4 .5 (.1 gateway, .2 static, .6 excluded host, .0/.7 network/broadcast).
        List<Integer> got = List.of(lease(mac(1), T0), lease(mac(2), T0 + 1), lease(mac(3), T0 + 2));
        assertEquals(List.of(ip("192.168.100.3"), ip("192.168.100.4"), ip("192.168.100.5")), got);
        silent(DhcpRequestBuilder.of(DISCOVER, mac(4)), T0 + 3);
        assertEquals(1, counters.get("dhcp.pool_exhausted"));
        long later = T0 + 3_600_000 + 1;
        assertEquals(ip("192.168.100.3"), lease(mac(4), later), "the longest-expired address is reclaimed");
        assertEquals(ip("192.168.100.4"), lease(mac(1), later), "mac 1 lost .3, takes the next expired one");
        assertTrue(server.trackedAddresses() <= 3);
    }

    @Test
    void theTableNeverOutgrowsThePool() {
        server = new DhcpServer(smallPool(), counters);
        for (int i = 0; i < 500; i++) {
            server.handle(DhcpRequestBuilder.of(DISCOVER, mac(i)).segment(), T0 + i * 100_000L);
            assertTrue(server.trackedAddresses() <= 3);
        }
    }

    @Test
    void invalidMessagesAreCountedAndDropped() {
        byte[] good = DhcpRequestBuilder.of(DISCOVER, OTHER).bytes();
        assertEquals(Optional.empty(), server.handle(MemorySegment.ofArray(java.util.Arrays.copyOf(good, 239)), T0));
        byte[] noCookie = good.clone();
        noCookie[236] = 0;
        assertEquals(Optional.empty(), server.handle(MemorySegment.ofArray(noCookie), T0));
        byte[] overrun = good.clone();
        overrun[241] = (byte) 200;
        assertEquals(Optional.empty(), server.handle(MemorySegment.ofArray(overrun), T0));
        assertEquals(3, counters.get("dhcp.dropped_malformed"));
        silent(DhcpRequestBuilder.of(DISCOVER, OTHER).op(2), T0);
        assertEquals(1, counters.get("dhcp.dropped_not_bootrequest"));
        silent(DhcpRequestBuilder.of(DISCOVER, OTHER).htype(6), T0);
        silent(DhcpRequestBuilder.of(DISCOVER, OTHER).hlen(16), T0);
        assertEquals(2, counters.get("dhcp.dropped_unsupported_hardware"));
        silent(DhcpRequestBuilder.of(OFFER, OTHER), T0);
        silent(DhcpRequestBuilder.of(42, OTHER), T0);
        assertEquals(2, counters.get("dhcp.dropped_unexpected_type"));
    }

    @Test
    void optionOverloadIsIgnoredAndMissingEndIsTolerated() {
        DhcpReply r = send(DhcpRequestBuilder.of(DISCOVER, OTHER).option(DhcpOptions.OVERLOAD, (byte) 3), T0);
        assertEquals(OFFER, DhcpReplies.parse(r).options().messageType());
        byte[] noEnd = DhcpRequestBuilder.of(DISCOVER, OTHER).bytes();
        assertTrue(server.handle(MemorySegment.ofArray(java.util.Arrays.copyOf(noEnd, noEnd.length - 1)), T0)
                .isPresent());
    }

    @Test
    void domainSearchUsesRfc3397Compression() {
        byte[] b = DomainSearchEncoding.encode(List.of("eng.apple.com", "marketing.apple.com."));
        assertEquals("03656e67056170706c6503636f6d00" + "096d61726b6574696e67c004", HexFormat.of().formatHex(b));
        assertThrows(IllegalArgumentException.class, () -> DomainSearchEncoding.encode(List.of("a..b")));
        assertThrows(IllegalArgumentException.class, () -> DomainSearchEncoding.encode(List.of("x".repeat(64))));
    }

    @Test
    void longSearchListIsSplitOverSeveralOptionInstances() {
        List<String> domains = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "d" + i + ".example" + i + ".org")
                .toList();
        server = new DhcpServer(DhcpConfig.defaults(domains), counters);
        DhcpReply r = send(DhcpRequestBuilder.of(DISCOVER, OTHER), T0);
        assertArrayEquals(DomainSearchEncoding.encode(domains),
                DhcpReplies.parse(r).options().get(DhcpOptions.DOMAIN_SEARCH));
        assertTrue(DhcpReplies.codes(r).stream().filter(c -> c == 119).count() > 1);
    }

    @Test
    void searchDomainsDefaultToTheInjectedResolvConf(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path f = dir.resolve("resolv.conf");
        java.nio.file.Files.writeString(f, "nameserver 127.0.0.1\nsearch corp.example lab.example\n");
        DhcpConfig c = DhcpConfig.defaults(f);
        assertEquals(List.of("corp.example", "lab.example"), c.searchDomains());
        assertEquals(List.of("x.test"), c.withSearchDomains(List.of("x.test")).searchDomains());
        assertEquals(List.of(), DhcpConfig.defaults(dir.resolve("missing")).searchDomains());
    }

    static MacAddress mac(int i) {
        return new MacAddress(0x0200_0000_0000L | (i + 16));
    }

    static DhcpConfig smallPool() {
        Ipv4Subnet subnet = Ipv4Subnet.parse("192.168.100.0/29");
        return new DhcpConfig(subnet, ip("192.168.100.1"), List.of(ip("192.168.100.1")), 1500, 3600, List.of(),
                Optional.empty(), Map.of(ip("192.168.100.2"), GUEST), Set.of(ip("192.168.100.6")), 600);
    }
}
