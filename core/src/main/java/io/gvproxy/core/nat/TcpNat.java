package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.SynListener;
import io.gvproxy.core.tcpip.SynOffer;
import io.gvproxy.core.tcpip.TcpStream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guest TCP to any address other than the gateway's own services becomes a host connection. As upstream, the
 * guest's handshake completes only once the host connection exists: a refused, unreachable or timed-out dial
 * answers the guest's SYN with a reset. Link-local and policy-denied destinations are reset before any socket
 * is opened. The number of dials in progress is bounded by the stack's half-open limit, since each holds an
 * offer.
 *
 * <p>Counters {@code nat.tcp.*}: {@code dialed}, {@code connected}, {@code refused}, {@code timeout},
 * {@code unreachable}, {@code denied}, {@code link_local}, {@code offer_lost} (the offer expired during the dial),
 * {@code shutdown}, and the gauges {@code active} and {@code relay_buffers_lent} (64 KiB native buffers holding bytes
 * in flight: flows hold one only while a side cannot take their bytes yet).
 */
public final class TcpNat implements SynListener, AutoCloseable {
    /** Free relay buffers kept for reuse (64 KiB each); flows beyond that many moving bytes at once allocate. */
    private static final int RELAY_BUFFERS_KEPT = 16;
    private final NatConfig config;
    private final RelayBuffers buffers;
    private NatPoller poller;
    private final Set<TcpFlow> flows = ConcurrentHashMap.newKeySet();
    private final Set<Dial> dials = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    final Counter dialed;
    final Counter connected;
    final Counter refused;
    final Counter timeout;
    final Counter unreachable;
    final Counter denied;
    final Counter linkLocal;
    final Counter offerLost;
    final Counter shutdown;
    final Counter active;
    final Counter bytesToHost;
    final Counter bytesToGuest;

    public TcpNat(NatConfig config, Counters counters) {
        this.config = config;
        this.dialed = counters.counter("nat.tcp.dialed");
        this.connected = counters.counter("nat.tcp.connected");
        this.refused = counters.counter("nat.tcp.refused");
        this.timeout = counters.counter("nat.tcp.timeout");
        this.unreachable = counters.counter("nat.tcp.unreachable");
        this.denied = counters.counter("nat.tcp.denied");
        this.linkLocal = counters.counter("nat.tcp.link_local");
        this.offerLost = counters.counter("nat.tcp.offer_lost");
        this.shutdown = counters.counter("nat.tcp.shutdown");
        this.active = counters.counter("nat.tcp.active");
        this.bytesToHost = counters.counter("nat.tcp.bytes_to_host");
        this.bytesToGuest = counters.counter("nat.tcp.bytes_to_guest");
        this.buffers = new RelayBuffers(RELAY_BUFFERS_KEPT, counters.counter("nat.tcp.relay_buffers_lent"));
    }

    /**
     * Runs on a switch reader: decides what needs no I/O and starts a non-blocking connect, which the poller
     * finishes. A loopback connect usually completes or is refused within the connect call itself, so the guest's
     * SYN-ACK (or reset) then leaves at once, without waiting for the poller.
     */
    @Override
    public void onSyn(SynOffer offer) {
        if (closed) {
            shutdown.increment();
            offer.reject();
            return;
        }
        long route = config.route(offer.localAddress(), linkLocal, denied);
        if (route < 0) {
            offer.reject();
            return;
        }
        dialed.increment();
        int hostIp = (int) route;
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
        } catch (IOException e) {
            unreachable.increment();
            offer.reject();
            return;
        }
        try {
            ch.configureBlocking(false);
            configure(ch);
            if (ch.connect(new InetSocketAddress(Ipv4.toInetAddress(hostIp), offer.localPort()))
                    || (isLoopback(hostIp) && ch.finishConnect())) {
                established(offer, ch);
                return;
            }
        } catch (ConnectException e) {
            fail(ch, offer, closed ? shutdown : refused);
            return;
        } catch (IOException | RuntimeException e) {
            fail(ch, offer, closed ? shutdown : unreachable);
            return;
        }
        Dial d = new Dial(offer, ch, System.nanoTime() + config.connectTimeout().toNanos());
        dials.add(d);
        if (closed) {
            d.fail(shutdown);
            return;
        }
        try {
            poller().watch(ch, SelectionKey.OP_CONNECT, d);
        } catch (IOException | RuntimeException e) {
            d.fail(closed ? shutdown : unreachable);
        }
    }

    private static boolean isLoopback(int ip) {
        return (ip >>> 24) == 127;
    }

    private static void configure(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        HostKeepalive.apply(ch);
    }

    /** A host connect in progress: the poller finishes it when the socket is connectable, or fails it at its deadline. */
    private final class Dial implements NatPoller.Watcher {
        final SynOffer offer;
        final SocketChannel ch;
        final long deadline;

        Dial(SynOffer offer, SocketChannel ch, long deadline) {
            this.offer = offer;
            this.ch = ch;
            this.deadline = deadline;
        }

        @Override
        public void ready(int readyOps) {
            boolean done;
            try {
                done = ch.finishConnect();
            } catch (ConnectException e) {
                fail(closed ? shutdown : refused);
                return;
            } catch (IOException | RuntimeException e) {
                fail(closed ? shutdown : unreachable);
                return;
            }
            if (done && dials.remove(this)) {
                established(offer, ch);
            }
        }

        /** Settles this dial with a reset to the guest, once. */
        void fail(Counter reason) {
            if (dials.remove(this)) {
                TcpNat.fail(ch, offer, reason);
            }
        }
    }

    /** On the poller thread: times out the dials past their deadline; the nanoseconds until the next one. */
    private long expireDials() {
        if (dials.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (Dial d : dials) {
            long left = d.deadline - now;
            if (left <= 0) {
                d.fail(timeout);
            } else {
                next = Math.min(next, left);
            }
        }
        return next;
    }

    /** The host connection {@code ch} exists: completes the guest's handshake and starts relaying. */
    private void established(SynOffer offer, SocketChannel ch) {
        Optional<TcpStream> stream = offer.accept();
        if (stream.isEmpty()) {
            offerLost.increment();
            closeQuietly(ch);
            return;
        }
        connected.increment();
        NatPoller p;
        try {
            p = poller();
        } catch (IOException e) {
            (closed ? shutdown : unreachable).increment();
            stream.get().abort();
            closeQuietly(ch);
            return;
        }
        TcpFlow flow = new TcpFlow(this, stream.get(), ch, p, buffers);
        flows.add(flow);
        active.increment();
        if (closed) {
            flow.abort();
        }
        flow.start();
    }

    /** Started with the first flow, so that a NAT that never relays holds no thread. */
    private synchronized NatPoller poller() throws IOException {
        if (closed) {
            throw new IOException("NAT closed");
        }
        if (poller == null) {
            poller = new NatPoller("nat-tcp-poller", this::expireDials);
        }
        return poller;
    }

    void ended(TcpFlow flow) {
        if (flows.remove(flow)) {
            active.add(-1);
        }
    }

    private static void fail(SocketChannel ch, SynOffer offer, Counter reason) {
        reason.increment();
        closeQuietly(ch);
        offer.reject();
    }

    static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }

    /** Flows open now. */
    public int activeFlows() {
        return flows.size();
    }

    /** Refuses new connections and resets every flow, on both sides. */
    @Override
    public void close() {
        closed = true;
        for (Dial d : dials) {
            d.fail(shutdown);
        }
        for (TcpFlow f : flows) {
            f.abort();
        }
        synchronized (this) {
            if (poller != null) {
                poller.close();
            }
        }
    }
}
