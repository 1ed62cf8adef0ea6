package io.gvproxy.cli.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gvproxy.core.stats.Counters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsJsonTest {
    @SuppressWarnings("unchecked")
    private static long at(Map<String, Object> tree, String dotted) {
        String[] parts = dotted.split("\\.");
        Map<String, Object> node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (Map<String, Object>) node.get(parts[i]);
        }
        return (Long) node.get(parts[parts.length - 1]);
    }

    @Test
    void everyUpstreamFieldIsPresentOnce() {
        assertEquals(StatsJson.FIELDS.size(), java.util.Set.copyOf(StatsJson.FIELDS).size());
        // 3 top-level counters, 11 NIC, 2*11+3 ICMPv4, 2*15+5 ICMPv6, 2*5+4 IGMP, 19+14 IP, 12 ARP, 32 TCP, 7 UDP.
        assertEquals(3 + 11 + 25 + 35 + 14 + 33 + 12 + 32 + 7, StatsJson.FIELDS.size());
    }

    @Test
    void countersFillTheirFieldsAndNothingElse() {
        Counters c = new Counters();
        c.counter("switch.bytes_sent").add(100);
        c.counter("switch.bytes_received").add(200);
        c.counter("gateway.arp.truncated").add(2);
        c.counter("gateway.arp.unsupported_address_type").add(1);
        c.counter("gateway.arp.replies_sent").add(5);
        c.counter("gateway.arp.unknown_target").add(3);
        c.counter("gateway.arp.not_request").add(4);
        c.counter("gateway.icmp.echo_replies_sent").add(7);
        c.counter("gateway.icmp.bad_checksum").add(1);
        c.counter("gateway.ipv4.bad_version").add(6);
        c.counter("gateway.ipv4.bad_checksum").add(1);
        c.counter("gateway.frames").add(30);
        Map<String, Object> t = StatsJson.tree(c);
        assertEquals(100, at(t, "BytesSent"));
        assertEquals(200, at(t, "BytesReceived"));
        assertEquals(3, at(t, "ARP.MalformedPacketsReceived"));
        assertEquals(8, at(t, "ARP.RequestsReceived"));
        assertEquals(3, at(t, "ARP.RequestsReceivedUnknownTargetAddress"));
        assertEquals(5, at(t, "ARP.OutgoingRepliesSent"));
        assertEquals(15, at(t, "ARP.PacketsReceived"));
        assertEquals(7, at(t, "ICMP.V4.PacketsSent.ICMPv4PacketStats.EchoReply"));
        assertEquals(7, at(t, "ICMP.V4.PacketsReceived.ICMPv4PacketStats.EchoRequest"));
        assertEquals(1, at(t, "ICMP.V4.PacketsReceived.Invalid"));
        assertEquals(7, at(t, "IP.MalformedPacketsReceived"));
        assertEquals(30, at(t, "NICs.Rx.Packets"));
        long total = 0;
        for (String f : StatsJson.FIELDS) {
            total += at(t, f);
        }
        assertEquals(100 + 200 + 3 + 8 + 3 + 5 + 15 + 7 + 7 + 1 + 7 + 30, total, "no other field is filled");
    }

    @Test
    void natEchoCountersAddToTheIcmpFields() {
        Counters c = new Counters();
        c.counter("gateway.icmp.echo_replies_sent").add(7);
        c.counter("nat.icmp.echo_requests").add(5);
        c.counter("nat.icmp.replies_to_guest").add(4);
        c.counter("nat.icmp.unreachable_relayed").add(2);
        c.counter("nat.icmp.time_exceeded_relayed").add(3);
        c.counter("nat.icmp.denied").add(1);
        Map<String, Object> t = StatsJson.tree(c);
        assertEquals(12, at(t, "ICMP.V4.PacketsReceived.ICMPv4PacketStats.EchoRequest"));
        assertEquals(11, at(t, "ICMP.V4.PacketsSent.ICMPv4PacketStats.EchoReply"));
        assertEquals(2, at(t, "ICMP.V4.PacketsSent.ICMPv4PacketStats.DstUnreachable"));
        assertEquals(3, at(t, "ICMP.V4.PacketsSent.ICMPv4PacketStats.TimeExceeded"));
        long total = 0;
        for (String f : StatsJson.FIELDS) {
            total += at(t, f);
        }
        assertEquals(12 + 11 + 2 + 3, total, "a drop reason has no upstream field");
    }
}
