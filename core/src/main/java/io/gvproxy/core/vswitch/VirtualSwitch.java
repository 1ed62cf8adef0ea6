package io.gvproxy.core.vswitch;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A learning Ethernet switch joining any number of {@link Link}s and one in-process gateway.
 *
 * <p>Unlike upstream's switch, unknown unicast and multicast are flooded (upstream drops them, which breaks
 * IPv6 neighbour discovery and mDNS), a slow port drops its own frames instead of stalling the others, and a
 * port whose write fails is removed without aborting delivery to the rest.
 *
 * <p>Frames are shared by reference: each target queue holds one {@link Frame#retain() reference}, released
 * after the send, so a broadcast is never copied. The switching path allocates nothing per frame.
 */
public final class VirtualSwitch implements AutoCloseable {
    public static final int DEFAULT_QUEUE_DEPTH = 1024;
    public static final int DEFAULT_CAM_CAPACITY = 4096;
    static final int ETHERNET_HEADER = 14;
    private static final long NO_GATEWAY = -1L;
    private static final long CLOSE_WAIT_MILLIS = 5000;
    private static final System.Logger LOG = System.getLogger(VirtualSwitch.class.getName());
    private static final SwitchPort[] NO_PORTS = new SwitchPort[0];
    // Layout constants of our own: MacAddress.read derives its layouts on every call, which is no cost to pay
    // twice per switched frame.
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Counters counters;
    private final int queueDepth;
    /** Guards CAM writes, membership changes and listener calls, so listeners see events in order. */
    private final Object lock = new Object();
    private final MacTable<SwitchPort> cam;
    private final CopyOnWriteArrayList<SwitchListener> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> burstEndListeners = new CopyOnWriteArrayList<>();
    /** Ports whose threads may still run (detached ones leave once both threads end). */
    private final Set<SwitchPort> live = new HashSet<>();
    private volatile SwitchPort[] ports = NO_PORTS;
    private volatile long gatewayMac = NO_GATEWAY;
    private volatile FrameSink gateway;
    private volatile FrameSink gatewayLargeInput;
    private final FrameSink gatewayOutput = this::switchFromGateway;
    private int nextPortId;
    private boolean closed;

    private final Counter bytesSent;
    private final Counter bytesReceived;
    private final Counter txDropped;
    private final Counter runts;
    private final Counter unknownUnicastFlooded;
    private final Counter samePortDropped;
    private final Counter groupSourceNotLearned;
    private final Counter camFull;
    private final Counter gatewayErrors;
    private final Counter gatewaySelfDropped;
    private final Counter portsDetached;
    private final Counter largeDropped;

    public VirtualSwitch(Counters counters) {
        this(counters, DEFAULT_QUEUE_DEPTH, DEFAULT_CAM_CAPACITY);
    }

    /**
     * @param queueDepth  frames each port may have waiting to be sent before further frames to it are dropped
     * @param camCapacity MACs the switch learns at most; beyond it, traffic to new MACs floods
     */
    public VirtualSwitch(Counters counters, int queueDepth, int camCapacity) {
        if (queueDepth < 1) {
            throw new IllegalArgumentException("queue depth must be positive: " + queueDepth);
        }
        this.counters = Objects.requireNonNull(counters);
        this.queueDepth = queueDepth;
        this.cam = new MacTable<>(camCapacity);
        bytesSent = counters.counter("switch.bytes_sent");
        bytesReceived = counters.counter("switch.bytes_received");
        txDropped = counters.counter("switch.tx_dropped");
        runts = counters.counter("switch.runt_frames");
        unknownUnicastFlooded = counters.counter("switch.unknown_unicast_flooded");
        samePortDropped = counters.counter("switch.same_port_dropped");
        groupSourceNotLearned = counters.counter("switch.group_source_not_learned");
        camFull = counters.counter("switch.cam_full");
        gatewayErrors = counters.counter("switch.gateway_errors");
        gatewaySelfDropped = counters.counter("switch.gateway_to_self_dropped");
        portsDetached = counters.counter("switch.ports_detached");
        largeDropped = counters.counter("switch.large_frames_dropped");
    }

    /**
     * Attaches {@code link} and starts its reader and writer threads. Frames the link receives are read into
     * buffers from {@code pool}. When the port goes away (EOF, I/O error, {@link SwitchPort#close()},
     * {@link #close()}), its link is closed and {@code onDetached} is called once.
     */
    public SwitchPort attach(Link link, FramePool pool, Consumer<SwitchPort> onDetached) {
        return attach(link, pool, null, onDetached);
    }

    /**
     * As {@link #attach(Link, FramePool, Consumer)} for a link that negotiated frames over the MTU (large TCP
     * segments): its frames are read into buffers from {@code largePool}; one over {@code pool}'s capacity goes only
     * to the gateway's {@link #setGatewayLargeInput large-frame input}, and only when addressed to the gateway MAC,
     * and is otherwise counted ({@code switch.large_frames_dropped}) and dropped, never queued to a port whose MTU
     * is smaller. Frames within the MTU that go to other ports are copied into a {@code pool} buffer first, so
     * the large buffers are never held by a queue: the port keeps about one of them.
     */
    public SwitchPort attach(Link link, FramePool pool, FramePool largePool, Consumer<SwitchPort> onDetached) {
        Objects.requireNonNull(link);
        Objects.requireNonNull(pool);
        Objects.requireNonNull(onDetached);
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("switch is closed");
            }
            SwitchPort port = new SwitchPort(nextPortId++, link, pool, largePool, queueDepth, this, onDetached, counters);
            SwitchPort[] grown = Arrays.copyOf(ports, ports.length + 1);
            grown[grown.length - 1] = port;
            ports = grown;
            live.add(port);
            // Started under the lock so that a concurrent close() either sees this port or prevents it.
            port.start();
            LOG.log(System.Logger.Level.DEBUG, "attached {0}", port);
            return port;
        }
    }

    /**
     * Attaches the in-process gateway. Frames from ports whose destination is {@code gatewayMac} or broadcast
     * are lent to {@code gateway} synchronously on the receiving port's reader thread (so it may be called from
     * several threads at once); frames to the gateway MAC are not forwarded to any port. The gateway must not
     * modify a lent frame: the same buffer may also be queued to other ports. Multicast is not delivered.
     */
    public void attachGateway(MacAddress gatewayMac, FrameSink gateway) {
        Objects.requireNonNull(gatewayMac);
        Objects.requireNonNull(gateway);
        if (gatewayMac.isMulticast()) {
            throw new IllegalArgumentException("gateway MAC must be unicast: " + gatewayMac);
        }
        synchronized (lock) {
            if (this.gateway != null) {
                throw new IllegalStateException("a gateway is already attached");
            }
            this.gateway = gateway;
            this.gatewayMac = gatewayMac.bits();
        }
    }

    /** Where frames over the MTU from links that negotiated them go, when addressed to the gateway; null: dropped. */
    public void setGatewayLargeInput(FrameSink input) {
        gatewayLargeInput = input;
    }

    /** Whether the port {@code mac} was learned on negotiated frames over the MTU (false when unknown). */
    public boolean takesLargeFrames(long mac) {
        SwitchPort p = cam.get(mac);
        return p != null && p.takesLargeFrames();
    }

    /** Where the gateway emits frames (lent; any thread): switched like any frame, never back to the gateway. */
    public FrameSink gatewayOutput() {
        return gatewayOutput;
    }

    public void addListener(SwitchListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /**
     * {@code listener} runs on a port's reader thread each time that port's link has no further frame at hand
     * (after every frame for links that do not read ahead, see {@link io.gvproxy.core.link.BufferedReceive}): the
     * place to flush work held back while a burst of frames was switched.
     */
    public void addBurstEndListener(Runnable listener) {
        burstEndListeners.add(Objects.requireNonNull(listener));
    }

    void burstEnded() {
        for (Runnable l : burstEndListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                gatewayErrors.increment();
                LOG.log(System.Logger.Level.WARNING, "burst-end listener failed", e);
            }
        }
    }

    /** Bytes delivered to ports; a frame sent to several ports counts once per port. */
    public long bytesSent() {
        return bytesSent.get();
    }

    /** Bytes of every frame received from ports. */
    public long bytesReceived() {
        return bytesReceived.get();
    }

    /** A snapshot of the learned MAC → port id table. */
    public Map<MacAddress, Integer> cam() {
        Map<MacAddress, Integer> out = new HashMap<>();
        synchronized (lock) {
            cam.forEach((mac, port) -> out.put(new MacAddress(mac), port.id()));
        }
        return out;
    }

    /** The ports currently attached, in attach order. */
    public List<SwitchPort> ports() {
        return List.of(ports);
    }

    /** Detaches every port and waits (bounded) for their threads to end. Further attaches fail. */
    @Override
    public void close() {
        List<SwitchPort> all;
        synchronized (lock) {
            closed = true;
            all = List.copyOf(live);
        }
        for (SwitchPort p : all) {
            detach(p, null);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        try {
            for (SwitchPort p : all) {
                if (!p.awaitStopped(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: threads did not stop within {1} ms", p, CLOSE_WAIT_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Switches one frame received by {@code from}'s reader; {@code frame} is lent. */
    void switchFromPort(SwitchPort from, Frame frame) {
        int length = frame.length();
        countIn(from, length);
        if (length < ETHERNET_HEADER) {
            runts.increment();
            return;
        }
        MemorySegment buf = frame.buffer();
        long dst = readMac(buf, 0);
        long src = readMac(buf, 6);
        learn(src, from);
        if (dst == gatewayMac) {
            toGateway(frame);
        } else if (dst == MacAddress.BROADCAST.bits()) {
            toGateway(frame);
            flood(frame, from);
        } else if (MacAddress.isMulticast(dst)) {
            flood(frame, from);
        } else {
            SwitchPort to = cam.get(dst);
            if (to == null) {
                unknownUnicastFlooded.increment();
                flood(frame, from);
            } else if (to == from) {
                samePortDropped.increment();
            } else {
                to.enqueue(frame);
            }
        }
    }

    /** Switches one frame read into a large buffer by {@code from}'s reader; {@code frame} is lent. */
    void switchFromLargePort(SwitchPort from, Frame frame) {
        int length = frame.length();
        if (length < ETHERNET_HEADER) {
            switchFromPort(from, frame);
            return;
        }
        long dst = readMac(frame.buffer(), 0);
        if (dst == gatewayMac) {
            if (length <= from.pool().frameCapacity()) {
                // lent to the gateway for the call only: no queue holds it
                switchFromPort(from, frame);
                return;
            }
            FrameSink large = gatewayLargeInput;
            countIn(from, length);
            learn(readMac(frame.buffer(), 6), from);
            if (large == null) {
                largeDropped.increment();
                return;
            }
            deliver(large, frame);
        } else if (length > from.pool().frameCapacity()) {
            countIn(from, length);
            largeDropped.increment();
        } else {
            Frame copy = from.pool().copyOf(frame.data());
            try {
                switchFromPort(from, copy);
            } finally {
                copy.release();
            }
        }
    }

    private void switchFromGateway(Frame frame) {
        if (frame.length() < ETHERNET_HEADER) {
            runts.increment();
            return;
        }
        long dst = readMac(frame.buffer(), 0);
        if (dst == gatewayMac) {
            gatewaySelfDropped.increment();
        } else if (MacAddress.isMulticast(dst)) {
            flood(frame, null);
        } else {
            SwitchPort to = cam.get(dst);
            if (to == null) {
                unknownUnicastFlooded.increment();
                flood(frame, null);
            } else if (fits(frame, to)) {
                // With one port (one VM, the usual case) a gateway thread that waits on that port's link stalls
                // nobody else's traffic, so it may send the frame itself rather than wake the port's writer.
                to.enqueue(frame, ports.length == 1);
            }
        }
    }

    /** Whether {@code to} can take {@code frame}: within its MTU, or over it on a link that negotiated that. */
    private boolean fits(Frame frame, SwitchPort to) {
        if (frame.length() <= to.pool().frameCapacity() || to.takesLargeFrames()) {
            return true;
        }
        largeDropped.increment();
        return false;
    }

    private static long readMac(MemorySegment buf, long offset) {
        return (Short.toUnsignedLong(buf.get(BE_SHORT, offset)) << 32) | Integer.toUnsignedLong(buf.get(BE_INT, offset + 2));
    }

    private void learn(long src, SwitchPort from) {
        if (MacAddress.isMulticast(src)) {
            groupSourceNotLearned.increment();
            return;
        }
        if (cam.get(src) == from) {
            return;
        }
        synchronized (lock) {
            // A port being detached must not regain entries after its purge.
            if (!from.isAttached()) {
                return;
            }
            MacTable.Put result = cam.put(src, from);
            if (result == MacTable.Put.FULL) {
                camFull.increment();
            } else if (result == MacTable.Put.LEARNED && !listeners.isEmpty()) {
                MacAddress mac = new MacAddress(src);
                for (SwitchListener l : listeners) {
                    try {
                        l.macLearned(mac, from.id());
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "switch listener failed", e);
                    }
                }
            }
        }
    }

    private void toGateway(Frame frame) {
        FrameSink g = gateway;
        if (g != null) {
            deliver(g, frame);
        }
    }

    private void countIn(SwitchPort from, int length) {
        from.framesIn.increment();
        from.bytesIn.add(length);
        bytesReceived.add(length);
    }

    private void deliver(FrameSink gatewayInput, Frame frame) {
        try {
            gatewayInput.accept(frame);
        } catch (RuntimeException e) {
            // The gateway's bug must not take down the port whose reader happened to deliver the frame.
            gatewayErrors.increment();
            LOG.log(System.Logger.Level.WARNING, "gateway failed on a frame", e);
        }
    }

    private void flood(Frame frame, SwitchPort except) {
        SwitchPort[] targets = ports;
        for (SwitchPort p : targets) {
            if (p != except && fits(frame, p)) {
                p.enqueue(frame);
            }
        }
    }

    void countSent(long bytes) {
        bytesSent.add(bytes);
    }

    void countDropped() {
        txDropped.increment();
    }

    /** Both threads of {@code port} have ended: close() need not wait for it any more. */
    void stopped(SwitchPort port) {
        synchronized (lock) {
            live.remove(port);
        }
    }

    /** Removes {@code port} (once): membership, CAM entries, queue, link; then tells its owner. */
    void detach(SwitchPort port, Throwable cause) {
        if (!port.markDetached()) {
            return;
        }
        synchronized (lock) {
            ports = Arrays.stream(ports).filter(p -> p != port).toArray(SwitchPort[]::new);
            long[] gone = cam.removePort(port);
            for (long mac : gone) {
                MacAddress m = new MacAddress(mac);
                for (SwitchListener l : listeners) {
                    try {
                        l.macForgotten(m, port.id());
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "switch listener failed", e);
                    }
                }
            }
        }
        try {
            port.link().close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + port + " failed", e);
        }
        port.stopWriter();
        port.drainQueue();
        portsDetached.increment();
        counters.removePrefix("switch.port." + port.id() + ".");
        if (cause == null) {
            LOG.log(System.Logger.Level.DEBUG, "detached {0}", port);
        } else {
            // A VM going away is expected: one line, the stack trace only when debugging.
            LOG.log(System.Logger.Level.INFO, "detached " + port + ": " + cause);
            LOG.log(System.Logger.Level.DEBUG, "detach cause", cause);
        }
        try {
            port.notifyDetached();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onDetached callback of " + port + " failed", e);
        }
    }
}
