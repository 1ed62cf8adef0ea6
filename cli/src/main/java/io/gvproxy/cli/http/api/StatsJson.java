package io.gvproxy.cli.http.api;

import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.Malformed;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Upstream's {@code /stats}: the tree of gVisor's {@code tcpip.Stats} field names (upstream dumps the struct by
 * reflection into nested maps, so Go's encoder sorts the keys) plus {@code BytesSent} and {@code BytesReceived}.
 * Every field has the upstream name; a field is filled only where one of our counters means the same thing, and is 0
 * otherwise. Filled fields and their counters:
 * <ul>
 *   <li>{@code BytesSent}, {@code BytesReceived}: {@code switch.bytes_sent}, {@code switch.bytes_received} (as
 *       upstream: the switch's totals over all VM links).</li>
 *   <li>{@code NICs.Rx.Packets}: {@code gateway.frames} (frames handed to the gateway's NIC).</li>
 *   <li>{@code ARP.MalformedPacketsReceived}: the sum of {@code gateway.arp.<malformed reason>}.</li>
 *   <li>{@code ARP.RequestsReceived}: {@code gateway.arp.gratuitous + unknown_target + replies_sent}.</li>
 *   <li>{@code ARP.RequestsReceivedUnknownTargetAddress}: {@code gateway.arp.unknown_target}.</li>
 *   <li>{@code ARP.OutgoingRepliesSent}: {@code gateway.arp.replies_sent}.</li>
 *   <li>{@code ARP.PacketsReceived}: the ARP fields above plus {@code gateway.arp.not_request}.</li>
 *   <li>{@code ICMP.V4.PacketsReceived.ICMPv4PacketStats.EchoRequest}: {@code gateway.icmp.bad_source +
 *       reply_too_large + echo_replies_sent} (well-formed echo requests to the gateway) plus
 *       {@code nat.icmp.echo_requests} (well-formed echo requests the NAT forwards or refuses).</li>
 *   <li>{@code ICMP.V4.PacketsReceived.Invalid}: the sum of {@code gateway.icmp.<malformed reason>} plus
 *       {@code gateway.icmp.bad_checksum}.</li>
 *   <li>{@code ICMP.V4.PacketsSent.ICMPv4PacketStats.EchoReply}: {@code gateway.icmp.echo_replies_sent} plus
 *       {@code nat.icmp.replies_to_guest}.</li>
 *   <li>{@code ICMP.V4.PacketsSent.ICMPv4PacketStats.DstUnreachable} and {@code .TimeExceeded}:
 *       {@code nat.icmp.unreachable_relayed} and {@code nat.icmp.time_exceeded_relayed} (errors the NAT relays).</li>
 *   <li>{@code IP.MalformedPacketsReceived}: the sum of {@code gateway.ipv4.<malformed reason>} plus
 *       {@code gateway.ipv4.bad_checksum}.</li>
 * </ul>
 * A request whose reply the switch refused is counted only in {@code gateway.output_errors}, so the sums above can
 * be lower than gVisor's would be by that many. The TCP, UDP and further IP fields stay 0 until the engines that
 * own those counters are wired in.
 */
public final class StatsJson {
    private static final List<String> ICMPV4_TYPES = List.of("EchoRequest", "EchoReply", "DstUnreachable",
            "SrcQuench", "Redirect", "TimeExceeded", "ParamProblem", "Timestamp", "TimestampReply", "InfoRequest",
            "InfoReply");
    private static final List<String> ICMPV6_TYPES = List.of("EchoRequest", "EchoReply", "DstUnreachable",
            "PacketTooBig", "TimeExceeded", "ParamProblem", "RouterSolicit", "RouterAdvert", "NeighborSolicit",
            "NeighborAdvert", "RedirectMsg", "MulticastListenerQuery", "MulticastListenerReport",
            "MulticastListenerReportV2", "MulticastListenerDone");
    private static final List<String> IGMP_TYPES = List.of("MembershipQuery", "V1MembershipReport",
            "V2MembershipReport", "V3MembershipReport", "LeaveGroup");

    /** Every leaf of upstream's tree (HEAD's vendored gVisor), as dotted paths. */
    static final List<String> FIELDS = fields();

    private static final Map<String, ToLongFunction<Counters>> FILLED = filled();

    private StatsJson() {
    }

    private static List<String> fields() {
        List<String> f = new java.util.ArrayList<>();
        f.add("BytesSent");
        f.add("BytesReceived");
        f.add("DroppedPackets");
        add(f, "NICs.", "MalformedL4RcvdPackets", "TxPacketsDroppedNoBufferSpace", "Tx.Packets", "Tx.Bytes",
                "Rx.Packets", "Rx.Bytes", "DisabledRx.Packets", "DisabledRx.Bytes",
                "Neighbor.UnreachableEntryLookups", "Neighbor.DroppedConfirmationForNoninitiatedNeighbor",
                "Neighbor.DroppedInvalidLinkAddressConfirmations");
        addAll(f, "ICMP.V4.PacketsSent.ICMPv4PacketStats.", ICMPV4_TYPES);
        add(f, "ICMP.V4.PacketsSent.", "Dropped", "RateLimited");
        addAll(f, "ICMP.V4.PacketsReceived.ICMPv4PacketStats.", ICMPV4_TYPES);
        add(f, "ICMP.V4.PacketsReceived.", "Invalid");
        addAll(f, "ICMP.V6.PacketsSent.ICMPv6PacketStats.", ICMPV6_TYPES);
        add(f, "ICMP.V6.PacketsSent.", "Dropped", "RateLimited");
        addAll(f, "ICMP.V6.PacketsReceived.ICMPv6PacketStats.", ICMPV6_TYPES);
        add(f, "ICMP.V6.PacketsReceived.", "Unrecognized", "Invalid", "RouterOnlyPacketsDroppedByHost");
        addAll(f, "IGMP.PacketsSent.IGMPPacketStats.", IGMP_TYPES);
        add(f, "IGMP.PacketsSent.", "Dropped");
        addAll(f, "IGMP.PacketsReceived.IGMPPacketStats.", IGMP_TYPES);
        add(f, "IGMP.PacketsReceived.", "Invalid", "ChecksumErrors", "Unrecognized");
        add(f, "IP.", "PacketsReceived", "ValidPacketsReceived", "DisabledPacketsReceived",
                "InvalidDestinationAddressesReceived", "InvalidSourceAddressesReceived", "PacketsDelivered",
                "PacketsSent", "OutgoingPacketErrors", "MalformedPacketsReceived", "MalformedFragmentsReceived",
                "IPTablesPreroutingDropped", "IPTablesInputDropped", "IPTablesForwardDropped",
                "IPTablesOutputDropped", "IPTablesPostroutingDropped", "OptionTimestampReceived",
                "OptionRecordRouteReceived", "OptionRouterAlertReceived", "OptionUnknownReceived");
        add(f, "IP.Forwarding.", "Unrouteable", "ExhaustedTTL", "InitializingSource", "LinkLocalSource",
                "LinkLocalDestination", "PacketTooBig", "HostUnreachable", "ExtensionHeaderProblem",
                "UnexpectedMulticastInputInterface", "UnknownOutputEndpoint", "NoMulticastPendingQueueBufferSpace",
                "OutgoingDeviceNoBufferSpace", "Errors", "OutgoingDeviceClosedForSend");
        add(f, "ARP.", "PacketsReceived", "DisabledPacketsReceived", "MalformedPacketsReceived", "RequestsReceived",
                "RequestsReceivedUnknownTargetAddress", "OutgoingRequestInterfaceHasNoLocalAddressErrors",
                "OutgoingRequestBadLocalAddressErrors", "OutgoingRequestsDropped", "OutgoingRequestsSent",
                "RepliesReceived", "OutgoingRepliesDropped", "OutgoingRepliesSent");
        add(f, "TCP.", "ActiveConnectionOpenings", "PassiveConnectionOpenings", "CurrentEstablished",
                "CurrentConnected", "EstablishedResets", "EstablishedClosed", "EstablishedTimedout",
                "FailedConnectionAttempts", "ListenOverflowSynDrop", "ListenOverflowAckDrop",
                "ListenOverflowSynCookieSent", "ListenOverflowSynCookieRcvd", "ListenOverflowInvalidSynCookieRcvd",
                "ValidSegmentsReceived", "InvalidSegmentsReceived", "SegmentsSent", "SegmentSendErrors",
                "ResetsSent", "ResetsReceived", "ChecksumErrors", "SegmentsAckedWithDSACK", "Retransmits",
                "FastRecovery", "SACKRecovery", "TLPRecovery", "SlowStartRetransmits", "FastRetransmit", "Timeouts",
                "SpuriousRecovery", "SpuriousRTORecovery", "FailedPortReservations", "ForwardMaxInFlightDrop");
        add(f, "UDP.", "PacketsReceived", "UnknownPortErrors", "ReceiveBufferErrors", "MalformedPacketsReceived",
                "PacketsSent", "PacketSendErrors", "ChecksumErrors");
        return List.copyOf(f);
    }

    private static void add(List<String> f, String prefix, String... names) {
        for (String n : names) {
            f.add(prefix + n);
        }
    }

    private static void addAll(List<String> f, String prefix, List<String> names) {
        names.forEach(n -> f.add(prefix + n));
    }

    private static Map<String, ToLongFunction<Counters>> filled() {
        Map<String, ToLongFunction<Counters>> m = new LinkedHashMap<>();
        m.put("BytesSent", c -> c.get("switch.bytes_sent"));
        m.put("BytesReceived", c -> c.get("switch.bytes_received"));
        m.put("NICs.Rx.Packets", c -> c.get("gateway.frames"));
        ToLongFunction<Counters> arpRequests = c -> c.get("gateway.arp.gratuitous")
                + c.get("gateway.arp.unknown_target") + c.get("gateway.arp.replies_sent");
        ToLongFunction<Counters> arpMalformed = c -> malformed(c, "gateway.arp.");
        m.put("ARP.MalformedPacketsReceived", arpMalformed);
        m.put("ARP.RequestsReceived", arpRequests);
        m.put("ARP.RequestsReceivedUnknownTargetAddress", c -> c.get("gateway.arp.unknown_target"));
        m.put("ARP.OutgoingRepliesSent", c -> c.get("gateway.arp.replies_sent"));
        m.put("ARP.PacketsReceived", c -> arpMalformed.applyAsLong(c) + arpRequests.applyAsLong(c)
                + c.get("gateway.arp.not_request"));
        m.put("ICMP.V4.PacketsReceived.ICMPv4PacketStats.EchoRequest", c -> c.get("gateway.icmp.bad_source")
                + c.get("gateway.icmp.reply_too_large") + c.get("gateway.icmp.echo_replies_sent")
                + c.get("nat.icmp.echo_requests"));
        m.put("ICMP.V4.PacketsReceived.Invalid", c -> malformed(c, "gateway.icmp.")
                + c.get("gateway.icmp.bad_checksum"));
        m.put("ICMP.V4.PacketsSent.ICMPv4PacketStats.EchoReply", c -> c.get("gateway.icmp.echo_replies_sent")
                + c.get("nat.icmp.replies_to_guest"));
        m.put("ICMP.V4.PacketsSent.ICMPv4PacketStats.DstUnreachable", c -> c.get("nat.icmp.unreachable_relayed"));
        m.put("ICMP.V4.PacketsSent.ICMPv4PacketStats.TimeExceeded", c -> c.get("nat.icmp.time_exceeded_relayed"));
        m.put("IP.MalformedPacketsReceived", c -> malformed(c, "gateway.ipv4.") + c.get("gateway.ipv4.bad_checksum"));
        if (!FIELDS.containsAll(m.keySet())) {
            throw new IllegalStateException("a filled /stats field is not in upstream's tree");
        }
        return Map.copyOf(m);
    }

    private static long malformed(Counters c, String prefix) {
        long sum = 0;
        for (Malformed m : Malformed.values()) {
            sum += c.get(prefix + m.counterName());
        }
        return sum;
    }

    /** The tree for the current counter values, with keys sorted at every level as Go's encoder sorts them. */
    public static Map<String, Object> tree(Counters counters) {
        Map<String, Object> root = new TreeMap<>();
        for (String field : FIELDS) {
            ToLongFunction<Counters> source = FILLED.get(field);
            long value = source == null ? 0 : source.applyAsLong(counters);
            put(root, field.split("\\."), value);
        }
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String[] path, long value) {
        Map<String, Object> node = root;
        for (int i = 0; i < path.length - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(path[i], k -> new TreeMap<String, Object>());
        }
        node.put(path[path.length - 1], value);
    }
}
