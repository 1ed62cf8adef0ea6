package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * The gateway's DNS server as a message handler: answers names of the local zones itself and forwards every
 * other query, raw, to the upstream nameservers on a virtual thread. Unlike upstream: zone names match
 * ignoring case, local answers carry a TTL, names that exist locally answer other types with NODATA, every
 * query type is forwarded rather than resolved through the OS, and a failed upstream gives SERVFAIL (not
 * NXDOMAIN). Thread-safe.
 */
public final class DnsServer implements AutoCloseable {
    private final DnsConfig config;
    private final ZoneTable zones;
    private final DnsForwarder forwarder;
    private final Semaphore inFlight;
    private volatile boolean closed;
    private final Counter unreadable;
    private final Counter responsesDropped;
    private final Counter formerr;
    private final Counter notimp;
    private final Counter badvers;
    private final Counter local;
    private final Counter forwarded;
    private final Counter overloaded;
    private final Counter upstreamFailed;
    private final Counter truncated;
    private final Counter responderErrors;

    public DnsServer(DnsConfig config, ZoneTable zones, Counters counters) {
        this.config = config;
        this.zones = zones;
        this.forwarder = new DnsForwarder(config.nameservers(), config.upstreamTimeout(), counters);
        this.inFlight = new Semaphore(config.maxInFlight());
        this.unreadable = counters.counter("dns.dropped_unreadable");
        this.responsesDropped = counters.counter("dns.dropped_response");
        this.formerr = counters.counter("dns.formerr");
        this.notimp = counters.counter("dns.notimp");
        this.badvers = counters.counter("dns.badvers");
        this.local = counters.counter("dns.local_answers");
        this.forwarded = counters.counter("dns.forwarded");
        this.overloaded = counters.counter("dns.dropped_too_many_in_flight");
        this.upstreamFailed = counters.counter("dns.servfail_upstream");
        this.truncated = counters.counter("dns.truncated");
        this.responderErrors = counters.counter("dns.responder_errors");
    }

    public ZoneTable zones() {
        return zones;
    }

    public DnsConfig config() {
        return config;
    }

    /**
     * Handles one query (a UDP payload, or a TCP message without its length prefix). {@code responder} is
     * called at most once; not at all for a dropped query (too short for a header, a response, or over the
     * in-flight limit; each counted).
     *
     * @return whether {@code responder} has been or will be called
     */
    public boolean handle(MemorySegment query, DnsTransport transport, DnsResponder responder) {
        long size = query.byteSize();
        if (size < DnsWire.HEADER_LENGTH || size > DnsWire.MAX_MESSAGE) {
            unreadable.increment();
            return false;
        }
        return handle(query.toArray(ValueLayout.JAVA_BYTE), transport, responder);
    }

    /** As {@link #handle(MemorySegment, DnsTransport, DnsResponder)}; {@code query} must not change after. */
    public boolean handle(byte[] query, DnsTransport transport, DnsResponder responder) {
        if (query.length < DnsWire.HEADER_LENGTH || query.length > DnsWire.MAX_MESSAGE) {
            unreadable.increment();
            return false;
        }
        if ((DnsWire.u16(query, 2) & DnsWire.FLAG_QR) != 0) {
            responsesDropped.increment();
            return false;
        }
        DnsMessage q;
        try {
            q = DnsMessage.parse(query);
        } catch (MalformedDnsException e) {
            formerr.increment();
            responder.respond(DnsResponses.headerOnly(query, DnsWire.RCODE_FORMERR, false));
            return true;
        }
        if (q.opcode() != 0) {
            notimp.increment();
            responder.respond(DnsResponses.headerOnly(query, DnsWire.RCODE_NOTIMP, q.edns() != null));
            return true;
        }
        if (q.questions().size() != 1 || !q.answers().isEmpty() || !q.authority().isEmpty()) {
            formerr.increment();
            responder.respond(DnsResponses.headerOnly(query, DnsWire.RCODE_FORMERR, q.edns() != null));
            return true;
        }
        if (q.edns() != null && q.edns().version() != 0) {
            badvers.increment();
            responder.respond(DnsResponses.headerOnly(query, DnsWire.RCODE_BADVERS, true));
            return true;
        }
        int limit = limit(q, transport);
        DnsQuestion question = q.questions().getFirst();
        Zone.ZoneAnswer answer = question.klass() == DnsWire.CLASS_IN || question.klass() == DnsWire.CLASS_ANY
                ? zones.lookup(question.name()) : null;
        if (answer != null) {
            local.increment();
            boolean address = question.type() == DnsWire.TYPE_A || question.type() == DnsWire.TYPE_ANY;
            int[] ips = answer.exists() && address ? new int[] {answer.ip()} : new int[0];
            int rcode = answer.exists() ? DnsWire.RCODE_NOERROR : DnsWire.RCODE_NXDOMAIN;
            responder.respond(fit(DnsResponses.answer(query, q, rcode, true, ips, config.ttlSeconds()), limit));
            return true;
        }
        return forward(query, q, limit, responder);
    }

    private boolean forward(byte[] query, DnsMessage q, int limit, DnsResponder responder) {
        if (forwarder.nameservers().isEmpty()) {
            upstreamFailed.increment();
            responder.respond(servfail(query, q));
            return true;
        }
        if (closed || !inFlight.tryAcquire()) {
            overloaded.increment();
            return false;
        }
        forwarded.increment();
        try {
            Thread.ofVirtual().name("dns-forward").start(() -> {
                try {
                    Optional<byte[]> answer = forwarder.exchange(query);
                    if (answer.isEmpty()) {
                        upstreamFailed.increment();
                    }
                    byte[] response = answer.map(a -> fit(a, limit)).orElseGet(() -> servfail(query, q));
                    try {
                        responder.respond(response);
                    } catch (RuntimeException e) {
                        // The caller's send failed on a thread nobody joins; count it rather than lose it.
                        responderErrors.increment();
                    }
                } finally {
                    inFlight.release();
                }
            });
            return true;
        } catch (RuntimeException e) {
            inFlight.release();
            overloaded.increment();
            return false;
        }
    }

    private byte[] servfail(byte[] query, DnsMessage q) {
        return DnsResponses.answer(query, q, DnsWire.RCODE_SERVFAIL, false, new int[0], 0);
    }

    private byte[] fit(byte[] response, int limit) {
        byte[] out = DnsTruncation.fit(response, limit);
        if (out != response) {
            truncated.increment();
        }
        return out;
    }

    private static int limit(DnsMessage q, DnsTransport transport) {
        if (transport == DnsTransport.TCP) {
            return DnsWire.MAX_MESSAGE;
        }
        return q.edns() == null ? DnsWire.MIN_UDP_PAYLOAD
                : Math.max(DnsWire.MIN_UDP_PAYLOAD, Math.min(DnsWire.MAX_MESSAGE, q.edns().udpPayloadSize()));
    }

    /** Forwarded queries still waiting for an upstream answer. */
    public int inFlight() {
        return config.maxInFlight() - inFlight.availablePermits();
    }

    /** Stops forwarding new queries; queries already forwarded finish within their timeouts. */
    @Override
    public void close() {
        closed = true;
    }
}
