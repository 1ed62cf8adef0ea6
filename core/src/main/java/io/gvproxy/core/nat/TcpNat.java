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
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
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
 * {@code shutdown}, and the gauge {@code active}.
 */
public final class TcpNat implements SynListener, AutoCloseable {
    /** Free relay buffers kept for reuse (64 KiB each); flows beyond that many moving bytes at once allocate. */
    private static final int RELAY_BUFFERS_KEPT = 16;
    private final NatConfig config;
    private final RelayBuffers buffers = new RelayBuffers(RELAY_BUFFERS_KEPT);
    private NatPoller poller;
    private final Set<TcpFlow> flows = ConcurrentHashMap.newKeySet();
    private final Set<SocketChannel> dialing = ConcurrentHashMap.newKeySet();
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
    }

    /** Runs on a switch reader: decides what needs no I/O, then dials on a virtual thread. */
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
        int host = (int) route;
        if (isLoopback(host) && tryLoopbackConnect(offer, host)) {
            return;
        }
        Thread.ofVirtual().name("nat-dial-" + offer).start(() -> dial(offer, host));
    }

    private static boolean isLoopback(int ip) {
        return (ip >>> 24) == 127;
    }

    /**
     * A loopback connect completes or is refused within the connect call itself, so it is made right here without
     * waiting, saving the hand-off to a dialing thread and the wait in the poller; the guest's SYN-ACK (or reset)
     * leaves at once. True when the offer was settled; false (nothing left open) when the handshake is still in
     * progress, say with a full listen backlog, and the ordinary dial should take over.
     */
    private boolean tryLoopbackConnect(SynOffer offer, int hostIp) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
        } catch (IOException e) {
            return false;
        }
        try {
            ch.configureBlocking(false);
            configure(ch);
            if (!ch.connect(new InetSocketAddress(Ipv4.toInetAddress(hostIp), offer.localPort())) && !ch.finishConnect()) {
                closeQuietly(ch);
                return false;
            }
            // left non-blocking: the relay uses it so
        } catch (ConnectException e) {
            dialed.increment();
            fail(ch, offer, closed ? shutdown : refused);
            return true;
        } catch (IOException e) {
            closeQuietly(ch);
            return false;
        }
        dialed.increment();
        established(offer, ch);
        return true;
    }

    private static void configure(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        HostKeepalive.apply(ch);
    }

    private void dial(SynOffer offer, int hostIp) {
        dialed.increment();
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
        } catch (IOException e) {
            unreachable.increment();
            offer.reject();
            return;
        }
        dialing.add(ch);
        try {
            if (closed) {
                throw new ShutdownException();
            }
            configure(ch);
            ch.socket().connect(new InetSocketAddress(Ipv4.toInetAddress(hostIp), offer.localPort()),
                    (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.connectTimeout().toMillis())));
        } catch (ShutdownException e) {
            fail(ch, offer, shutdown);
            return;
        } catch (SocketTimeoutException e) {
            fail(ch, offer, timeout);
            return;
        } catch (ConnectException e) {
            fail(ch, offer, closed ? shutdown : refused);
            return;
        } catch (IOException e) {
            fail(ch, offer, closed ? shutdown : unreachable);
            return;
        } finally {
            dialing.remove(ch);
        }
        established(offer, ch);
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
            poller = new NatPoller();
        }
        return poller;
    }

    /** Relay buffers lent to flows now (each {@value RelayBuffers#SIZE} bytes). */
    int relayBuffersLent() {
        return buffers.lent();
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
        for (SocketChannel ch : dialing) {
            closeQuietly(ch);
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

    private static final class ShutdownException extends Exception {
        ShutdownException() {
            super(null, null, false, false);
        }
    }
}
