package io.gvproxy.core.forward;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.ArpReplyListener;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.TcpStack;
import io.gvproxy.core.wire.ArpPacket;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;

import java.io.IOException;
import java.net.NoRouteToHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's ARP client: finds the MAC of a guest address before the gateway opens a connection to it (a port
 * forward towards a guest that has not yet sent anything). Sends a broadcast request from the gateway, repeats it
 * a few times, and hands the answer to the TCP stack's neighbour table. Only replies to addresses being resolved
 * are taken, so a guest cannot fill the table with unsolicited replies.
 */
public final class ArpResolver implements ArpReplyListener {
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final int FRAME_LENGTH = EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH;
    private static final int ATTEMPTS = 3;

    private final long gatewayMac;
    private final int gatewayIp;
    private final FramePool pool;
    private final FrameSink output;
    private final TcpStack stack;
    private final Map<Integer, CompletableFuture<Long>> pending = new ConcurrentHashMap<>();
    private final Counter requestsSent;
    private final Counter resolved;
    private final Counter unsolicited;
    private final Counter failures;

    public ArpResolver(MacAddress gatewayMac, int gatewayIp, FramePool pool, FrameSink output, TcpStack stack,
                       Counters counters) {
        this.gatewayMac = gatewayMac.bits();
        this.gatewayIp = gatewayIp;
        this.pool = pool;
        this.output = output;
        this.stack = stack;
        this.requestsSent = counters.counter("forward.arp.requests_sent");
        this.resolved = counters.counter("forward.arp.resolved");
        this.unsolicited = counters.counter("forward.arp.unsolicited_replies");
        this.failures = counters.counter("forward.arp.failures");
    }

    /**
     * The MAC of {@code ip}: the one the TCP stack already knows (learned from the guest's traffic or an earlier
     * resolution), so a known guest costs no ARP round trip; otherwise as {@link #resolve}.
     */
    public MacAddress macOf(int ip, long timeoutMillis) throws IOException {
        MacAddress known = stack.knownNeighbor(ip);
        return known != null ? known : resolve(ip, timeoutMillis);
    }

    /**
     * Resolves {@code ip} and teaches the TCP stack its MAC; waits at most {@code timeoutMillis}. Concurrent calls
     * for one address share the requests.
     */
    public MacAddress resolve(int ip, long timeoutMillis) throws IOException {
        CompletableFuture<Long> f = pending.computeIfAbsent(ip, k -> new CompletableFuture<>());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long interval = Math.max(1, timeoutMillis / ATTEMPTS);
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                sendRequest(ip);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    long mac = f.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(interval)), TimeUnit.NANOSECONDS);
                    return new MacAddress(mac);
                } catch (TimeoutException e) {
                    // ask again
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resolving " + Ipv4.toString(ip));
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            pending.remove(ip, f);
        }
        if (f.isDone()) {
            return new MacAddress(f.getNow(-1L));
        }
        failures.increment();
        throw new NoRouteToHostException("no ARP reply from " + Ipv4.toString(ip));
    }

    private void sendRequest(int ip) {
        Frame frame = pool.acquire();
        try {
            long at = EthernetFrame.writeHeader(frame.buffer(), 0, BROADCAST, gatewayMac, EtherType.ARP);
            ArpPacket.write(frame.buffer(), at, ArpPacket.OP_REQUEST, gatewayMac, gatewayIp, 0, ip);
            frame.setLength(FRAME_LENGTH);
            output.accept(frame);
            requestsSent.increment();
        } catch (RuntimeException e) {
            failures.increment();
        } finally {
            frame.release();
        }
    }

    @Override
    public void onArpReply(int senderIp, long senderMac) {
        CompletableFuture<Long> f = pending.get(senderIp);
        if (f == null) {
            unsolicited.increment();
            return;
        }
        stack.learnNeighbor(senderIp, new MacAddress(senderMac));
        if (f.complete(senderMac)) {
            resolved.increment();
        }
    }
}
