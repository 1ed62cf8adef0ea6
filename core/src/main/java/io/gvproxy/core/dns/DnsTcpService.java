package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.SynListener;
import io.gvproxy.core.tcpip.SynOffer;
import io.gvproxy.core.tcpip.TcpStream;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DNS over TCP at the gateway (upstream serves TCP on gateway:53 since v0.6.2): the {@link SynListener} that
 * accepts guest connections to the gateway IP's port 53 and runs a {@link DnsStreamSession} on each, on a
 * virtual thread. Every other SYN goes to the next listener (the NAT), or is refused with a reset while there
 * is none. At most {@code maxSessions} sessions at once (more are refused, counted in
 * {@code dns.tcp.refused}); a session whose client stays silent for {@code idleMillis} is closed, as
 * {@link DnsTcpServer} does on host sockets.
 */
public final class DnsTcpService implements SynListener {
    public static final int PORT = 53;

    private final DnsServer server;
    private final int gatewayIp;
    private final int maxSessions;
    private final int idleMillis;
    private final AtomicInteger sessions = new AtomicInteger();
    private final Counter accepted;
    private final Counter refused;
    private volatile SynListener next;

    public DnsTcpService(DnsServer server, int gatewayIp, Counters counters) {
        this(server, gatewayIp, DnsTcpServer.DEFAULT_MAX_CONNECTIONS, DnsTcpServer.DEFAULT_IDLE_MILLIS, counters);
    }

    public DnsTcpService(DnsServer server, int gatewayIp, int maxSessions, int idleMillis, Counters counters) {
        if (maxSessions < 1 || idleMillis < 1) {
            throw new IllegalArgumentException("maxSessions and idleMillis must be positive");
        }
        this.server = server;
        this.gatewayIp = gatewayIp;
        this.maxSessions = maxSessions;
        this.idleMillis = idleMillis;
        this.accepted = counters.counter("dns.tcp.accepted");
        this.refused = counters.counter("dns.tcp.refused");
    }

    /** Where SYNs to anything but gateway:53 go; null refuses them. */
    public void setNext(SynListener next) {
        this.next = next;
    }

    public int activeSessions() {
        return sessions.get();
    }

    @Override
    public void onSyn(SynOffer offer) {
        if (offer.localAddress() != gatewayIp || offer.localPort() != PORT) {
            SynListener n = next;
            if (n != null) {
                n.onSyn(offer);
            } else {
                offer.reject();
            }
            return;
        }
        if (sessions.incrementAndGet() > maxSessions) {
            sessions.decrementAndGet();
            refused.increment();
            offer.reject();
            return;
        }
        Optional<TcpStream> stream = offer.accept();
        if (stream.isEmpty()) {
            sessions.decrementAndGet();
            return;
        }
        accepted.increment();
        Thread.ofVirtual().name("dns-tcp").start(() -> serve(stream.get()));
    }

    private void serve(TcpStream stream) {
        try (stream) {
            stream.setReadTimeout(idleMillis, TimeUnit.MILLISECONDS);
            new DnsStreamSession(server, stream.inputStream(), stream.outputStream()).run();
        } finally {
            sessions.decrementAndGet();
        }
    }
}
