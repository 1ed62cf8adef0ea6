package io.gvproxy.core.dhcp;

import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The gateway's DHCPv4 server (RFC 2131) as a pure message handler: the gateway passes each UDP payload that
 * arrived on port 67 with the current time and sends whatever reply comes back as {@link DhcpReply} says.
 * Unlike upstream, leases expire, RELEASE and DECLINE are honoured, wrong addresses are NAKed and INFORM is
 * answered. Thread-safe (one lock; DHCP is rare).
 */
public final class DhcpServer {
    /** Replies shorter than the BOOTP minimum are padded: some old clients drop them otherwise. */
    static final int MIN_REPLY_LENGTH = 300;

    private final DhcpConfig config;
    private final LeasePool pool;
    private final Counter malformed;
    private final Counter notRequest;
    private final Counter unsupportedHardware;
    private final Counter bootp;
    private final Counter unexpectedType;
    private final Counter poolExhausted;
    private final Counter requestWithoutAddress;
    private final Counter otherServer;
    private final Counter offers;
    private final Counter acks;
    private final Counter naks;
    private final Counter releases;
    private final Counter declines;
    private final Counter informs;
    private final Counter declineInvalid;
    private final Counter declineUnknown;
    private final Counter releaseUnknown;

    public DhcpServer(DhcpConfig config, Counters counters) {
        this.config = config;
        this.pool = new LeasePool(config);
        this.malformed = counters.counter("dhcp.dropped_malformed");
        this.notRequest = counters.counter("dhcp.dropped_not_bootrequest");
        this.unsupportedHardware = counters.counter("dhcp.dropped_unsupported_hardware");
        this.bootp = counters.counter("dhcp.dropped_no_message_type");
        this.unexpectedType = counters.counter("dhcp.dropped_unexpected_type");
        this.poolExhausted = counters.counter("dhcp.pool_exhausted");
        this.requestWithoutAddress = counters.counter("dhcp.dropped_request_without_address");
        this.otherServer = counters.counter("dhcp.other_server_selected");
        this.offers = counters.counter("dhcp.offers");
        this.acks = counters.counter("dhcp.acks");
        this.naks = counters.counter("dhcp.naks");
        this.releases = counters.counter("dhcp.releases");
        this.declines = counters.counter("dhcp.declines");
        this.informs = counters.counter("dhcp.informs");
        this.declineInvalid = counters.counter("dhcp.dropped_decline_invalid");
        this.declineUnknown = counters.counter("dhcp.dropped_decline_unknown_lease");
        this.releaseUnknown = counters.counter("dhcp.dropped_release_unknown_lease");
    }

    public DhcpConfig config() {
        return config;
    }

    /** Handles one request payload; empty when there is nothing to send (each such case is counted). */
    public synchronized Optional<DhcpReply> handle(MemorySegment request, long nowMillis) {
        Optional<DhcpMessage> parsed = DhcpMessage.parse(request);
        if (parsed.isEmpty()) {
            malformed.increment();
            return Optional.empty();
        }
        DhcpMessage m = parsed.get();
        if (m.op() != DhcpMessage.BOOTREQUEST) {
            notRequest.increment();
            return Optional.empty();
        }
        if (m.htype() != DhcpMessage.HTYPE_ETHERNET || m.hlen() != 6) {
            unsupportedHardware.increment();
            return Optional.empty();
        }
        MacAddress mac = MacAddress.fromBytes(m.chaddr(), 0);
        return switch (m.options().messageType()) {
            case 0 -> {
                bootp.increment();
                yield Optional.empty();
            }
            case DhcpMessageType.DISCOVER -> discover(m, mac, nowMillis);
            case DhcpMessageType.REQUEST -> request(m, mac, nowMillis);
            case DhcpMessageType.DECLINE -> decline(m, mac, nowMillis);
            case DhcpMessageType.RELEASE -> release(m, mac, nowMillis);
            case DhcpMessageType.INFORM -> inform(m);
            default -> {
                unexpectedType.increment();
                yield Optional.empty();
            }
        };
    }

    /** Static leases and bound, unexpired dynamic leases, by address. */
    public synchronized List<Lease> leases(long nowMillis) {
        return pool.leases(nowMillis);
    }

    private Optional<DhcpReply> discover(DhcpMessage m, MacAddress mac, long now) {
        int ip = pool.offer(mac, m.options().ipv4(DhcpOptions.REQUESTED_IP).orElse(0), now);
        if (ip == 0) {
            poolExhausted.increment();
            return Optional.empty();
        }
        offers.increment();
        return Optional.of(reply(m, DhcpMessageType.OFFER, 0, ip, true));
    }

    private Optional<DhcpReply> request(DhcpMessage m, MacAddress mac, long now) {
        OptionalInt serverId = m.options().ipv4(DhcpOptions.SERVER_ID);
        OptionalInt requested = m.options().ipv4(DhcpOptions.REQUESTED_IP);
        int ip;
        if (serverId.isPresent()) {
            // SELECTING: the client answers one OFFER; if not ours, what we offered goes back to the pool.
            if (serverId.getAsInt() != config.gatewayIp()) {
                pool.cancelOffer(mac, now);
                otherServer.increment();
                return Optional.empty();
            }
            if (requested.isEmpty()) {
                requestWithoutAddress.increment();
                return Optional.empty();
            }
            ip = requested.getAsInt();
        } else if (requested.isPresent()) {
            ip = requested.getAsInt(); // INIT-REBOOT
        } else if (m.ciaddr() != 0) {
            ip = m.ciaddr(); // RENEWING or REBINDING
        } else {
            requestWithoutAddress.increment();
            return Optional.empty();
        }
        if (!config.subnet().contains(ip) || !pool.canGrant(mac, ip, now)) {
            naks.increment();
            return Optional.of(nak(m, "requested address not available"));
        }
        pool.bind(mac, ip, now + config.leaseSeconds() * 1000L);
        acks.increment();
        return Optional.of(reply(m, DhcpMessageType.ACK, m.ciaddr(), ip, true));
    }

    private Optional<DhcpReply> decline(DhcpMessage m, MacAddress mac, long now) {
        OptionalInt serverId = m.options().ipv4(DhcpOptions.SERVER_ID);
        OptionalInt ip = m.options().ipv4(DhcpOptions.REQUESTED_IP);
        if ((serverId.isPresent() && serverId.getAsInt() != config.gatewayIp()) || ip.isEmpty()) {
            declineInvalid.increment();
            return Optional.empty();
        }
        if (pool.decline(mac, ip.getAsInt(), now + config.declineHoldSeconds() * 1000L)) {
            declines.increment();
        } else {
            declineUnknown.increment();
        }
        return Optional.empty();
    }

    private Optional<DhcpReply> release(DhcpMessage m, MacAddress mac, long now) {
        if (pool.release(mac, m.ciaddr(), now)) {
            releases.increment();
        } else {
            releaseUnknown.increment();
        }
        return Optional.empty();
    }

    private Optional<DhcpReply> inform(DhcpMessage m) {
        informs.increment();
        return Optional.of(reply(m, DhcpMessageType.ACK, m.ciaddr(), 0, false));
    }

    private DhcpReply reply(DhcpMessage m, int type, int ciaddr, int yiaddr, boolean leaseFields) {
        Map<Integer, byte[]> available = new LinkedHashMap<>();
        if (leaseFields) {
            long lease = config.leaseSeconds();
            available.put(DhcpOptions.LEASE_TIME, DhcpOptionWriter.int32((int) lease));
            available.put(DhcpOptions.RENEWAL_TIME, DhcpOptionWriter.int32((int) (lease / 2)));
            available.put(DhcpOptions.REBINDING_TIME, DhcpOptionWriter.int32((int) (lease * 7 / 8)));
        }
        available.put(DhcpOptions.SUBNET_MASK, DhcpOptionWriter.int32(config.subnet().mask()));
        available.put(DhcpOptions.ROUTER, DhcpOptionWriter.int32(config.gatewayIp()));
        if (!config.dnsServers().isEmpty()) {
            byte[] dns = new byte[4 * config.dnsServers().size()];
            for (int i = 0; i < config.dnsServers().size(); i++) {
                System.arraycopy(DhcpOptionWriter.int32(config.dnsServers().get(i)), 0, dns, 4 * i, 4);
            }
            available.put(DhcpOptions.DNS_SERVERS, dns);
        }
        if (config.mtu() >= 68 && config.mtu() <= 65535) {
            available.put(DhcpOptions.INTERFACE_MTU, new byte[] {(byte) (config.mtu() >>> 8), (byte) config.mtu()});
        }
        config.domainName().ifPresent(d -> available.put(DhcpOptions.DOMAIN_NAME,
                stripDot(d).getBytes(StandardCharsets.US_ASCII)));
        if (!config.searchDomains().isEmpty()) {
            available.put(DhcpOptions.DOMAIN_SEARCH, DomainSearchEncoding.encode(config.searchDomains()));
        }
        DhcpOptionWriter w = new DhcpOptionWriter();
        w.putByte(DhcpOptions.MESSAGE_TYPE, type).putInt(DhcpOptions.SERVER_ID, config.gatewayIp());
        byte[] prl = m.options().get(DhcpOptions.PARAMETER_REQUEST_LIST);
        if (prl != null) {
            for (byte code : prl) {
                byte[] v = available.remove(code & 0xFF);
                if (v != null) {
                    w.put(code & 0xFF, v);
                }
            }
        }
        available.forEach(w::put);
        return finish(m, type, ciaddr, yiaddr, m.flags(), w);
    }

    private DhcpReply nak(DhcpMessage m, String why) {
        DhcpOptionWriter w = new DhcpOptionWriter();
        w.putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessageType.NAK).putInt(DhcpOptions.SERVER_ID, config.gatewayIp())
                .put(DhcpOptions.MESSAGE, why.getBytes(StandardCharsets.US_ASCII));
        // Through a relay the NAK must be broadcast on the client's segment (RFC 2131 §4.3.2).
        int flags = m.giaddr() != 0 ? m.flags() | DhcpMessage.FLAG_BROADCAST : m.flags();
        return finish(m, DhcpMessageType.NAK, 0, 0, flags, w);
    }

    private DhcpReply finish(DhcpMessage m, int type, int ciaddr, int yiaddr, int flags, DhcpOptionWriter w) {
        byte[] clientId = m.options().get(DhcpOptions.CLIENT_ID);
        if (clientId != null && clientId.length > 0) {
            w.put(DhcpOptions.CLIENT_ID, clientId); // RFC 6842
        }
        byte[] relayInfo = m.options().get(DhcpOptions.RELAY_AGENT_INFO);
        if (relayInfo != null && relayInfo.length > 0) {
            w.put(DhcpOptions.RELAY_AGENT_INFO, relayInfo); // RFC 3046: the last option
        }
        byte[] options = w.toBytes();
        int length = Math.max(MIN_REPLY_LENGTH, DhcpMessage.OPTIONS_OFFSET + options.length + 1);
        byte[] out = new byte[length];
        MemorySegment s = MemorySegment.ofArray(out);
        out[0] = DhcpMessage.BOOTREPLY;
        out[1] = (byte) m.htype();
        out[2] = (byte) m.hlen();
        s.set(DhcpMessage.U32, 4, m.xid());
        s.set(DhcpMessage.U16, 10, (short) flags);
        s.set(DhcpMessage.U32, 12, ciaddr);
        s.set(DhcpMessage.U32, 16, yiaddr);
        s.set(DhcpMessage.U32, 24, m.giaddr());
        System.arraycopy(m.chaddr(), 0, out, 28, 16);
        s.set(DhcpMessage.U32, DhcpMessage.HEADER_LENGTH, DhcpMessage.MAGIC_COOKIE);
        System.arraycopy(options, 0, out, DhcpMessage.OPTIONS_OFFSET, options.length);
        out[DhcpMessage.OPTIONS_OFFSET + options.length] = (byte) DhcpOptions.END;
        return address(m, type, yiaddr, s);
    }

    /** RFC 2131 §4.1: relay, else NAK broadcast, else ciaddr, else broadcast flag, else yiaddr + chaddr. */
    private static DhcpReply address(DhcpMessage m, int type, int yiaddr, MemorySegment payload) {
        MacAddress chaddr = MacAddress.fromBytes(m.chaddr(), 0);
        if (m.giaddr() != 0) {
            return new DhcpReply(payload, DhcpReply.Delivery.RELAY, m.giaddr(), DhcpReply.SERVER_PORT, null);
        }
        if (type != DhcpMessageType.NAK && m.ciaddr() != 0) {
            return new DhcpReply(payload, DhcpReply.Delivery.UNICAST, m.ciaddr(), DhcpReply.CLIENT_PORT, chaddr);
        }
        if (type == DhcpMessageType.NAK || m.broadcastFlag() || yiaddr == 0) {
            return new DhcpReply(payload, DhcpReply.Delivery.BROADCAST, -1, DhcpReply.CLIENT_PORT,
                    MacAddress.BROADCAST);
        }
        return new DhcpReply(payload, DhcpReply.Delivery.UNICAST, yiaddr, DhcpReply.CLIENT_PORT, chaddr);
    }

    private static String stripDot(String d) {
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    /** The number of addresses the pool tracks (bound, offered or remembered); never more than the pool. */
    synchronized int trackedAddresses() {
        return pool.size();
    }
}
