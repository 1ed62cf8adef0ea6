package io.gvproxy.cli;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.FrameLogLink;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.link.StreamFraming;
import io.gvproxy.core.link.StreamLink;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.ffm.TapDevice;
import io.gvproxy.ffm.TapLink;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One connection cycle of gvforwarder, as upstream's run(): dial, POST the connect path, open (or create) the tap,
 * set its MAC and bring it up and start the DHCP client (unless -preexisting), then pump frames both ways with 2-byte
 * little-endian framing until something fails. Unlike upstream, the tap is opened with checksum and TCP/IPv4
 * segmentation offloads, so one read carries up to 64 KiB of a guest's TCP stream; the POST offers gvproxy such
 * frames ({@link LargeSegmentOffer}), and until gvproxy accepts, they are cut back into MSS-sized frames here. The first failure ends the cycle; {@link #run} returns it after
 * closing the tap (a created tap disappears), the connection, and stopping the DHCP client by its pid.
 */
final class ForwarderSession {
    private static final long JOIN_MS = 5000;
    private static final long DHCP_STOP_GRACE_MS = 2000;
    /** Frames and bytes one tap-to-host write carries at most (the bytes fit StreamLink's send buffer). */
    private static final int TAP_BATCH_FRAMES = 64;
    private static final int TAP_BATCH_BYTES = 192 * 1024;
    /** Tap reads with offloads: an IPv4 super-frame of up to 64 KiB plus its Ethernet header. */
    private static final int OFFLOAD_FRAME_CAPACITY = 65535 + 14;
    private static final int OFFLOAD_BATCH_FRAMES = 16;

    private final GvforwarderOptions options;
    private final LogrusLogger log;
    private final Counters counters;
    private final CompletableFuture<Exception> failure = new CompletableFuture<>();
    /** Set by the host-to-tap thread when gvproxy's first frame accepts the offer; read by the tap reader. */
    private volatile boolean largeSegmentsAccepted;

    ForwarderSession(GvforwarderOptions options, LogrusLogger log, Counters counters) {
        this.options = options;
        this.log = log;
        this.counters = counters;
    }

    /** Runs the cycle to its end; returns the error that ended it. */
    Exception run() {
        log.info("Dialing to " + describe(options.url()) + "…");
        ForwarderConnection connection;
        try {
            connection = ForwarderConnection.dial(options.url());
        } catch (IOException | RuntimeException e) {
            return new IOException("cannot connect to host: " + e.getMessage(), e);
        }
        TapDevice tap = null;
        Process dhcp = null;
        try {
            String path = options.url().connectPath();
            if (!path.isEmpty()) {
                log.info("Sending post request to " + path);
                connection.writeFully(ConnectRequest.bytes(path, true));
            }
            log.info("Configuring tap device " + options.iface());
            try {
                tap = openTap(options.iface());
            } catch (IOException | RuntimeException e) {
                return new IOException("cannot create tap device: " + e.getMessage(), e);
            }
            if (!options.preexisting()) {
                log.info("Enabling tap device " + options.iface());
                try {
                    if (options.mac() != null) {
                        tap.setMac(options.mac());
                    }
                    tap.setUp(true);
                } catch (IOException | RuntimeException e) {
                    return new IOException("cannot set mac address: " + e.getMessage(), e);
                }
            }
            log.info("Starting rx/tx loops");
            FramePool pool = new FramePool(options.frameCapacity(), TapToHost.OUT_FRAMES + 2);
            StreamLink host = new StreamLink("gvforwarder", connection.in(), connection.out(), StreamFraming.HYPERKIT,
                    counters);
            TapLink tapLink = new TapLink(tap, counters, "tap");
            Thread rx = tapPump(tapLink, host, pool);
            Thread tx = hostPump(host, tapLink, pool, !path.isEmpty());
            if (!options.preexisting()) {
                dhcp = startDhcp();
            }
            Exception cause = awaitFailure();
            closeQuietly(host);
            tapLink.close();
            join(rx);
            join(tx);
            return cause;
        } catch (IOException | RuntimeException e) {
            return e;
        } finally {
            stop(dhcp);
            if (tap != null) {
                tap.close();
            }
            connection.close();
        }
    }

    /**
     * The tap with offloads if the kernel lets us and they can help, else as upstream opens it. At an -mtu whose
     * frames already reach 64 KiB, segmentation offload cannot make a read larger, and checksum offload would only
     * move the guest's checksum (computed by its kernel while copying) into this process.
     */
    private TapDevice openTap(String iface) throws IOException {
        if (options.mtu() + FramePool.ETHERNET_OVERHEAD >= LargeSegmentOffer.MAX_FRAME) {
            return TapDevice.open(iface);
        }
        try {
            return TapDevice.openWithOffloads(iface, TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4);
        } catch (IOException e) {
            log.info("tap offloads unavailable (" + e.getMessage() + "); reading one frame per read");
            return TapDevice.open(iface);
        }
    }

    /**
     * Copies frames from gvproxy to the tap on a platform thread with one reused frame buffer. When the POST offered
     * large segments, a first frame that accepts the offer is taken as such and not written to the tap; after it,
     * TCP frames over the tap's MTU go to the tap as one segmentation-offload frame ({@link HostToTap}).
     */
    private Thread hostPump(Link from, TapLink to, FramePool pool, boolean offered) {
        return Thread.ofPlatform().daemon().name("gvforwarder-tx").start(() -> {
            boolean canTakeLarge = offered && to.device().vnetHeaderSize() > 0;
            Frame frame = canTakeLarge ? new FramePool(OFFLOAD_FRAME_CAPACITY, 1).acquire() : pool.acquire();
            HostToTap toTap = new HostToTap(to, counters);
            StringBuilder line = new StringBuilder(192);
            boolean first = offered;
            try {
                while (!failure.isDone()) {
                    if (!from.receive(frame)) {
                        fail(new IOException("cannot read size from socket: EOF (" + from.name() + " ended)"));
                        return;
                    }
                    if (first) {
                        first = false;
                        if (LargeSegmentOffer.isAcceptance(frame.data())) {
                            largeSegmentsAccepted = canTakeLarge;
                            log.info("gvproxy accepts large TCP segments");
                            continue;
                        }
                    }
                    if (options.debug()) {
                        log.info(FrameLogLink.summarize(line, "gvforwarder", "host>tap", frame.data()));
                    }
                    toTap.send(frame);
                }
            } catch (IOException | RuntimeException e) {
                fail(new IOException("tx host>tap: " + e.getMessage(), e));
            } finally {
                frame.release();
            }
        });
    }

    /**
     * Copies frames from the tap to gvproxy: after each frame it waited for, it takes the rest of the burst the tap
     * already holds and writes them all with one write, so a busy guest costs one socket write (and one wake-up of
     * gvproxy's reader) per burst instead of per frame.
     */
    private Thread tapPump(TapLink from, StreamLink to, FramePool pool) {
        boolean offloads = from.device().vnetHeaderSize() > 0;
        FramePool readPool = offloads ? new FramePool(OFFLOAD_FRAME_CAPACITY, OFFLOAD_BATCH_FRAMES) : pool;
        int batchLimit = offloads ? OFFLOAD_BATCH_FRAMES
                : Math.clamp(TAP_BATCH_BYTES / pool.frameCapacity(), 1, TAP_BATCH_FRAMES);
        return Thread.ofPlatform().daemon().name("gvforwarder-rx").start(() -> {
            Frame[] batch = new Frame[batchLimit];
            StringBuilder line = new StringBuilder(192);
            for (int i = 0; i < batchLimit; i++) {
                batch[i] = readPool.acquire();
            }
            TapToHost toHost = offloads ? new TapToHost(to, pool, () -> largeSegmentsAccepted, counters) : null;
            try {
                while (!failure.isDone()) {
                    if (!from.receive(batch[0])) {
                        fail(new IOException("cannot read packet from tap: EOF (" + from.name() + " ended)"));
                        return;
                    }
                    int n = 1;
                    if (toHost != null) {
                        toHost.add(batch[0], from.receivedHeader());
                    }
                    while (n < batchLimit && from.tryReceive(batch[n])) {
                        if (toHost != null) {
                            toHost.add(batch[n], from.receivedHeader());
                        }
                        n++;
                    }
                    if (options.debug()) {
                        for (int i = 0; i < n; i++) {
                            log.info(FrameLogLink.summarize(line, "gvforwarder", "tap>host", batch[i].data()));
                        }
                    }
                    if (toHost != null) {
                        toHost.flush();
                    } else {
                        to.send(batch, n);
                    }
                }
            } catch (IOException | RuntimeException e) {
                fail(new IOException("rx tap>host: " + e.getMessage(), e));
            } finally {
                for (Frame f : batch) {
                    f.release();
                }
                if (toHost != null) {
                    toHost.release();
                }
            }
        });
    }

    private Process startDhcp() throws IOException {
        List<String> command = DhcpClientCommand.forInterface(options.iface());
        Process p = new ProcessBuilder(command).inheritIO()
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Thread.ofPlatform().daemon().name("gvforwarder-dhcp").start(() -> {
            try {
                int code = p.waitFor();
                if (code != 0) {
                    fail(new IOException("dhcp error: " + command.getFirst() + " exited with status " + code));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return p;
    }

    private void fail(Exception e) {
        failure.complete(e);
    }

    private Exception awaitFailure() {
        try {
            return failure.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        } catch (ExecutionException e) {
            return e;
        }
    }

    private static void stop(Process p) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(DHCP_STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t) {
        try {
            t.join(JOIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Link link) {
        try {
            link.close();
        } catch (IOException e) {
            // The session is over either way; the cause that ended it is what gets reported.
        }
    }

    static String describe(ForwarderUrl url) {
        return switch (url) {
            case ForwarderUrl.Vsock v -> "vsock://" + v.cid() + ":" + v.port() + v.connectPath();
            case ForwarderUrl.Unix u -> "unix://" + u.socket();
            case ForwarderUrl.Stdio s -> "stdio:" + s.executable() + " " + String.join(" ", s.arguments());
        };
    }
}
