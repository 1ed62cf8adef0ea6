package io.gvproxy.core.tcpip;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Ipv4Handler;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcp.IsnGenerator;
import io.gvproxy.core.tcp.ResetReply;
import io.gvproxy.core.tcp.TcpCounters;
import io.gvproxy.core.tcp.TcpSegment;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.TcpOptions;

import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.security.SecureRandom;
import java.util.List;
import java.util.ArrayList;
import java.util.function.LongPredicate;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TCP over the virtual network: the table of connections by 4-tuple, the demultiplexing of guest segments
 * (registered with the gateway for IP protocol 6), connection set-up in both directions, and one timer thread
 * for every connection's retransmission, delayed-ACK, keepalive and TIME-WAIT timers.
 *
 * <p>Guest connections to any address and port are offered to the {@link SynListener}, which accepts or
 * rejects each, at once or later. {@link #connect} opens connections towards a guest (port forwards). Segments
 * for no connection are answered with a reset. Memory is bounded by {@link TcpStackConfig}: the table, the
 * half-open count, and each engine's buffers.
 *
 * <p>Threads: any number of frame-delivering threads call {@link #handle}; the table has its own short lock,
 * each connection another (see {@link StackConnection}); the table lock is never held while taking a
 * connection's. Output goes to a non-blocking {@link FrameSink} (the switch drops when a port's queue is full).
 */
public final class TcpStack implements Ipv4Handler, AutoCloseable {
    final TcpStackConfig config;
    final StackCounters counters;
    final TcpCounters tcpCounters;
    final FramePool pool;
    final long localMac;
    final ScheduledThreadPoolExecutor timers;
    final AtomicInteger halfOpen = new AtomicInteger();
    private final FrameSink output;
    private final FlowTable<Object> table;
    private final IsnGenerator isn;
    private final NeighborCache neighbors = new NeighborCache(1024);
    private final ThreadLocal<ReceiveScratch> scratch = ThreadLocal.withInitial(ReceiveScratch::new);
    private volatile SynListener listener;
    private volatile boolean closed;
    private volatile LongPredicate largeSegmentPeer = mac -> false;
    /** Buffers for segments over the MTU, toward peers {@link #setLargeSegmentPeers} names; null until then. */
    volatile FramePool largePool;

    /** Per-thread views and segments for the receive path, so that a segment allocates nothing. */
    private static final class ReceiveScratch {
        final io.gvproxy.core.wire.TcpSegment view = new io.gvproxy.core.wire.TcpSegment();
        final TcpOptions options = new TcpOptions();
        final TcpSegment segment = new TcpSegment();
        final TcpSegment reply = new TcpSegment();
        final SegmentFrameWriter writer = new SegmentFrameWriter();
        boolean busy;
        /** Set once this thread's caller ends its bursts with {@link #endBurst()}: ACKs may then wait for it. */
        boolean burstAware;
        /** Connections holding a coalesced ACK until this thread's burst ends. */
        final ArrayList<StackConnection> ackPending = new ArrayList<>();
    }

    /**
     * @param localMac the MAC our segments come from (the gateway's)
     * @param output   where frames go; must not block (the switch's gateway output)
     */
    public TcpStack(TcpStackConfig config, Counters counters, FramePool pool, MacAddress localMac, FrameSink output) {
        this.config = Objects.requireNonNull(config, "config");
        this.counters = new StackCounters(counters);
        this.tcpCounters = new TcpCounters(counters, "tcp");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.localMac = localMac.bits();
        this.output = Objects.requireNonNull(output, "output");
        this.table = new FlowTable<>(config.maxConnections());
        SecureRandom random = new SecureRandom();
        this.isn = new IsnGenerator(random.nextLong(), random.nextLong());
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tcp-timers");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    public TcpStackConfig config() {
        return config;
    }

    /** Who decides about guest connections; null (the default) refuses them all with a reset. */
    public void setSynListener(SynListener listener) {
        this.listener = listener;
    }

    /** The handler for ICMP from guests: "fragmentation needed" lowers the MSS of the connection it names. */
    public Ipv4Handler icmpHandler() {
        return new FragmentationNeededHandler(this);
    }

    /** Tells the stack a guest's MAC (it also learns them from the guests' TCP segments). */
    public void learnNeighbor(int ip, MacAddress mac) {
        neighbors.learn(ip, mac.bits());
    }

    /** The MAC the stack last saw or was told for {@code ip}, or null if it knows none. */
    public MacAddress knownNeighbor(int ip) {
        long mac = neighbors.lookup(ip);
        return mac < 0 ? null : new MacAddress(mac);
    }

    /**
     * Opens a connection from {@code srcIp:srcPort} (normally the gateway's address) to a guest, whose MAC must
     * have been learned. The handshake runs in the background: see {@link TcpStream#awaitConnected}.
     */
    public TcpStream connect(int srcIp, int srcPort, int dstIp, int dstPort) throws IOException {
        long mac = neighbors.lookup(dstIp);
        if (mac < 0) {
            throw new NoRouteToHostException("no MAC known for " + Ipv4.toString(dstIp));
        }
        return connect(srcIp, srcPort, dstIp, dstPort, new MacAddress(mac));
    }

    /** As {@link #connect(int, int, int, int)} to a guest at {@code dstMac}. */
    public TcpStream connect(int srcIp, int srcPort, int dstIp, int dstPort, MacAddress dstMac) throws IOException {
        int iss = isn.isn(srcIp, srcPort, dstIp, dstPort, now());
        StackConnection c = new StackConnection(this, srcIp, srcPort, dstIp, dstPort, dstMac.bits(), iss, false);
        c.lock.lock();
        try {
            synchronized (table) {
                if (closed) {
                    throw new IOException("TCP stack closed");
                }
                if (table.get(c.flowAddresses, c.flowPorts) != null) {
                    throw new BindException("in use: " + c);
                }
                if (!table.putIfAbsent(c.flowAddresses, c.flowPorts, c)) {
                    counters.dropTableFull.increment();
                    throw new IOException("connection table full (" + config.maxConnections() + ")");
                }
            }
            c.tcp.connect(now());
            c.rearm();
        } finally {
            c.lock.unlock();
        }
        return new TcpStream(c);
    }

    /** Connections and pending SYN offers in the table. */
    public int connectionCount() {
        synchronized (table) {
            return table.size();
        }
    }

    /** Guest connections offered or answered but not yet established. */
    public int halfOpenCount() {
        return halfOpen.get();
    }

    /** One TCP packet from a guest (see {@link Ipv4Handler}). Always takes it: every outcome is counted. */
    /**
     * The caller of {@link #handle} on this thread has no further frame at hand (for a switch port: its link has
     * nothing more buffered): sends the ACKs held back while the burst was fed. From the first call on, ACKs of
     * in-order data that arrives on this thread are coalesced to one per connection and burst; a thread that never
     * calls this gets an ACK every second segment.
     */
    public void endBurst() {
        ReceiveScratch s = scratch.get();
        if (s.busy) {
            return;
        }
        s.burstAware = true;
        ArrayList<StackConnection> pending = s.ackPending;
        if (pending.isEmpty()) {
            return;
        }
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).flushCoalescedAck();
        }
        pending.clear();
    }

    @Override
    public boolean handle(Frame frame, EthernetFrame ethernet, Ipv4Packet ip) {
        counters.segmentsReceived.increment();
        ReceiveScratch s = scratch.get();
        if (s.busy) {
            s = new ReceiveScratch();
        }
        s.busy = true;
        try {
            receive(ethernet, ip, s);
        } finally {
            s.busy = false;
        }
        return true;
    }

    private void receive(EthernetFrame eth, Ipv4Packet ip, ReceiveScratch s) {
        io.gvproxy.core.wire.TcpSegment view = s.view;
        if (view.wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength()) != null) {
            counters.malformed.increment();
            return;
        }
        int remoteIp = ip.sourceAddress();
        int localIp = ip.destinationAddress();
        if (config.verifyChecksums() && !view.checksumValid(remoteIp, localIp)) {
            counters.badChecksum.increment();
            return;
        }
        int localPort = view.destinationPort();
        int remotePort = view.sourcePort();
        if (!unicast(remoteIp) || !unicast(localIp) || localPort == 0 || remotePort == 0) {
            counters.badAddress.increment();
            return;
        }
        TcpSegment seg = WireSegments.fill(view, s.options, s.segment);
        neighbors.learn(remoteIp, eth.source());
        long a = FlowTable.addresses(localIp, remoteIp);
        int p = FlowTable.ports(localPort, remotePort);
        Object flow;
        synchronized (table) {
            flow = table.get(a, p);
        }
        if (flow instanceof StackConnection c) {
            if (c.input(seg, s.burstAware ? s.ackPending : null)) {
                return;
            }
            counters.timeWaitReused.increment();
        } else if (flow instanceof SynOffer) {
            (seg.syn() ? counters.synWhilePending : counters.dropPendingNonSyn).increment();
            return;
        }
        if (seg.syn() && !seg.ackFlag() && !seg.rst()) {
            offer(localIp, localPort, remoteIp, remotePort, eth.source(), seg, s);
        } else {
            reset(seg, localIp, localPort, remoteIp, remotePort, eth.source(), s.reply, s.writer);
        }
    }

    private static boolean unicast(int ip) {
        return ip != 0 && ip != -1 && (ip >>> 28) != 0xE;
    }

    private void offer(int localIp, int localPort, int remoteIp, int remotePort, long remoteMac, TcpSegment syn,
                       ReceiveScratch s) {
        SynListener l = listener;
        if (l == null || closed) {
            reset(syn, localIp, localPort, remoteIp, remotePort, remoteMac, s.reply, s.writer);
            return;
        }
        if (halfOpen.incrementAndGet() > config.maxHalfOpen()) {
            halfOpen.decrementAndGet();
            counters.dropHalfOpenLimit.increment();
            return;
        }
        SynOffer o = new SynOffer(this, localIp, localPort, remoteIp, remotePort, remoteMac, syn);
        boolean added;
        synchronized (table) {
            added = table.putIfAbsent(FlowTable.addresses(localIp, remoteIp), FlowTable.ports(localPort, remotePort),
                    o);
        }
        if (!added) {
            // full, or another thread's SYN for the same tuple won the race
            halfOpen.decrementAndGet();
            counters.dropTableFull.increment();
            return;
        }
        counters.synOffered.increment();
        try {
            o.expiry = timers.schedule(o::expire, config.synOfferTimeoutNanos(), TimeUnit.NANOSECONDS);
            l.onSyn(o);
        } catch (RuntimeException e) {
            counters.listenerErrors.increment();
            o.reject();
        }
    }

    StackConnection acceptOffer(SynOffer o) {
        int iss = isn.isn(o.localIp, o.localPort, o.remoteIp, o.remotePort, now());
        StackConnection c = new StackConnection(this, o.localIp, o.localPort, o.remoteIp, o.remotePort, o.remoteMac,
                iss, true);
        c.lock.lock();
        try {
            boolean replaced;
            synchronized (table) {
                replaced = !closed && table.replace(c.flowAddresses, c.flowPorts, o, c);
            }
            if (!replaced) {
                halfOpen.decrementAndGet();
                return null;
            }
            counters.synAccepted.increment();
            c.tcp.listen();
            c.tcp.input(o.syn, now());
            c.rearm();
        } finally {
            c.lock.unlock();
        }
        return c;
    }

    void rejectOffer(SynOffer o, boolean sendReset) {
        synchronized (table) {
            table.remove(FlowTable.addresses(o.localIp, o.remoteIp), FlowTable.ports(o.localPort, o.remotePort), o);
        }
        halfOpen.decrementAndGet();
        if (sendReset) {
            counters.synRejected.increment();
            reset(o.syn, o.localIp, o.localPort, o.remoteIp, o.remotePort, o.remoteMac, new TcpSegment(),
                    new SegmentFrameWriter());
        } else {
            counters.synExpired.increment();
        }
    }

    private void reset(TcpSegment received, int localIp, int localPort, int remoteIp, int remotePort, long remoteMac,
                       TcpSegment reply, SegmentFrameWriter writer) {
        if (!ResetReply.fill(received, reply)) {
            return;
        }
        Frame f = writer.write(pool, reply, localMac, remoteMac, localIp, localPort, remoteIp, remotePort, 0);
        if (f != null) {
            counters.resetsNoConnection.increment();
            send(f);
        }
    }

    /** The connection of a tuple, or null. */
    StackConnection connection(int localIp, int localPort, int remoteIp, int remotePort) {
        synchronized (table) {
            return table.get(FlowTable.addresses(localIp, remoteIp), FlowTable.ports(localPort, remotePort))
                    instanceof StackConnection c ? c : null;
        }
    }

    void forget(StackConnection c) {
        synchronized (table) {
            table.remove(c.flowAddresses, c.flowPorts, c);
        }
    }

    /**
     * New connections with a peer whose MAC {@code peers} accepts send data segments of up to {@code pool}'s frame
     * size (the peer's link takes TCP frames over the MTU and re-cuts them, see VirtualNetwork); others are unchanged.
     */
    public void setLargeSegmentPeers(LongPredicate peers, FramePool pool) {
        this.largePool = pool;
        this.largeSegmentPeer = peers;
    }

    /** Payload bytes a segment toward {@code mac} may carry beyond the MSS; 0 for none. */
    int largeSegmentPayload(long mac) {
        FramePool p = largePool;
        if (p == null || !largeSegmentPeer.test(mac)) {
            return 0;
        }
        // Ethernet, IPv4 and the largest TCP header
        return p.frameCapacity() - 14 - 20 - 60;
    }

    /** Hands a frame to the output and gives it back to the pool; the output never blocks. */
    void send(Frame frame) {
        try {
            output.accept(frame);
            counters.framesSent.increment();
        } catch (RuntimeException e) {
            counters.outputErrors.increment();
        } finally {
            frame.release();
        }
    }

    long now() {
        return System.nanoTime();
    }

    static String tupleString(int localIp, int localPort, int remoteIp, int remotePort) {
        return Ipv4.toString(localIp) + ":" + localPort + "<->" + Ipv4.toString(remoteIp) + ":" + remotePort;
    }

    /** Resets every connection, drops pending offers and stops the timer thread. */
    @Override
    public void close() {
        List<Object> all;
        synchronized (table) {
            closed = true;
            all = table.values();
        }
        for (Object flow : all) {
            if (flow instanceof StackConnection c) {
                c.lock.lock();
                try {
                    c.ownerClosed = true;
                    c.tcp.abort(now());
                    c.changed.signalAll();
                } finally {
                    c.lock.unlock();
                }
            } else if (flow instanceof SynOffer o) {
                o.expire();
            }
        }
        timers.shutdownNow();
    }
}
