package io.gvproxy.it;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.link.StreamFraming;
import io.gvproxy.core.link.StreamLink;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.TcpStream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our TCP stack against the Linux kernel's: a namespace guest behind a tap is attached to a virtual network run
 * in this JVM. The kernel connects to a listener in our stack, and our stack connects to a listener in the
 * namespace; over each connection {@code it.tcp.megabytes} (100 by default) flow each way at once and arrive
 * with the sender's SHA-256 ({@code it.tcp.impaired.megabytes} on the impaired link, also 100 by default). Once on a clean link and once with netem loss 5 %, reorder 10 %, duplicate 1 % (and
 * the 1 ms delay tc needs before it reorders) on the namespace's tap; where the kernel lacks sch_netem, the
 * same rates are applied in both directions by an {@link ImpairedLink} between the namespace and the switch. {@code ss -ti} in the namespace shows window scaling, SACK and timestamps negotiated.
 */
class TcpKernelInteropIT {
    private static final int GATEWAY = Ipv4.parse(Rig.GATEWAY_IP);
    private static final int GUEST = Ipv4.parse(Rig.GUEST_IP);
    private static final int STACK_PORT = 9000;
    private static final int KERNEL_PORT = 7000;
    private static final Duration TRANSFER_LIMIT = Duration.ofMinutes(8);
    private static final Pattern RESULT = Pattern.compile("RESULT received=(\\d+) sha256=([0-9a-f]{64})");
    /** The netem line; tc refuses "reorder" without a delay, so 1 ms is added for it to act on. */
    private static final String NETEM = "tc qdisc add dev " + NetnsGuest.TAP
            + " root netem delay 1ms loss 5% reorder 10% duplicate 1%";

    private record Side(long received, String sha256) {
    }

    @Test
    void kernelAndStackExchangeBytesBothWaysCleanAndThroughNetem() throws Exception {
        NetnsRig rig = NetnsRig.require("tc", "ss");
        long bytes = SeededChunks.checkedLength(Long.getLong("it.tcp.megabytes", 100) << 20);
        // the size on the impaired link too; about 1 MB/s per direction there on a loaded 2-core machine
        long impairedBytes = SeededChunks.checkedLength(Long.getLong("it.tcp.impaired.megabytes", 100) << 20);
        Path runDir = rig.runDir("tcp-kernel-interop");
        Counters counters = new Counters();
        try (ShortTempDir sockets = ShortTempDir.create();
             VirtualNetwork net = new VirtualNetwork(NetworkConfig.defaults(), counters);
             ServerSocketChannel uplink = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path socket = sockets.resolve("qemu.sock");
            uplink.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<ImpairedLink> link = new CompletableFuture<>();
            Thread.ofVirtual().name("uplink-accept").start(() -> {
                try {
                    SocketChannel ch = uplink.accept();
                    ImpairedLink l = new ImpairedLink(StreamLink.of("netns", ch, StreamFraming.QEMU, counters), 7);
                    net.attach(l, p -> { });
                    link.complete(l);
                } catch (IOException e) {
                    // the test fails on the missing guest
                }
            });
            try (NetnsGuest guest = NetnsGuest.start(runDir, "tcp", NetnsUplink.qemu(socket,
                    MacAddress.parse(Rig.GUEST_MAC)), Rig.GUEST_IP + "/24")) {
                String how = "clean";
                for (int round = 0; round < 2; round++) {
                    if (round == 1) {
                        NetnsGuest.Result tc = guest.exec(NETEM.split(" "));
                        if (tc.ok()) {
                            how = "netem delay 1ms loss 5% reorder 10% duplicate 1%";
                        } else {
                            // kernels built without sch_netem (CONFIG_NET_SCH_NETEM unset) answer "unknown"
                            assertTrue(tc.output().contains("qdisc kind is unknown"), NETEM + ": " + tc);
                            link.get(5, TimeUnit.SECONDS).impair(new ImpairedLink.Impairment(0.05, 0.10, 0.01,
                                    TimeUnit.MILLISECONDS.toNanos(1)));
                            how = "no sch_netem in this kernel; the link delays 1 ms, drops 5%, reorders 10%, "
                                    + "duplicates 1% both ways";
                        }
                    }
                    long size = round == 0 ? bytes : impairedBytes;
                    kernelConnectsToStack(net, guest, size, 11 + round, how);
                    stackConnectsToKernel(net, guest, size, 21 + round, how);
                }
                assertTrue(guest.pumpAlive(), "the tap pump ended early");
            } finally {
                System.out.println("tcp.stack counters: " + counters.snapshot().entrySet().stream()
                        .filter(e -> e.getKey().startsWith("tcp.") && e.getValue() != 0).toList());
            }
        }
    }

    private static List<String> blaster(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(GvproxyProcess.testJava(), "-Xmx128m", "-cp",
                System.getProperty("java.class.path"), TcpBlaster.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void kernelConnectsToStack(VirtualNetwork net, NetnsGuest guest, long bytes, long seed, String how)
            throws Exception {
        long kernelSeed = seed * 1000 + 1;
        long stackSeed = seed * 1000 + 2;
        CompletableFuture<TcpStream> accepted = new CompletableFuture<>();
        net.tcpStack().setSynListener(o -> {
            if (o.localPort() == STACK_PORT && !accepted.isDone()) {
                o.accept().ifPresent(accepted::complete);
            } else {
                o.reject();
            }
        });
        CompletableFuture<NetnsGuest.Result> kernel = CompletableFuture.supplyAsync(() -> guest.exec(TRANSFER_LIMIT,
                blaster("connect", Rig.GATEWAY_IP, Integer.toString(STACK_PORT), Long.toString(bytes),
                        Long.toString(kernelSeed)).toArray(String[]::new)), r -> Thread.ofVirtual().start(r));
        TcpStream stream = accepted.get(60, TimeUnit.SECONDS);
        CountDownLatch start = new CountDownLatch(1);
        CompletableFuture<Side> ours = CompletableFuture.supplyAsync(() -> exchange(stream, bytes, stackSeed, start),
                r -> Thread.ofVirtual().start(r));
        NetnsGuest.Result ss = guest.exec("ss", "-tin", "dst", Rig.GATEWAY_IP + ":" + STACK_PORT);
        long t0 = System.nanoTime();
        start.countDown();
        Side stackSide = ours.get(TRANSFER_LIMIT.toSeconds(), TimeUnit.SECONDS);
        NetnsGuest.Result k = kernel.get(TRANSFER_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(ss.ok(), "ss: " + ss);
        String info = ss.output();
        assertTrue(info.contains("wscale:"), "ss -ti must show wscale for the connection to our stack:\n" + info);
        // iproute2 6.1's ss on kernel 6.18 prints neither "ts" nor "sack", not even for two kernel sockets on
        // loopback: when it prints options both must be there; our end must have negotiated them either way (it
        // only does when the kernel's SYN offered them, and its SYN-ACK then offers them back)
        if (info.contains(" ts ") || info.contains("sack")) {
            assertTrue(info.contains(" ts ") && info.contains("sack"), "ss -ti must show sack and ts:\n" + info);
        }
        assertTrue(stream.windowScaleNegotiated() && stream.sackNegotiated() && stream.timestampsNegotiated(),
                "window scaling, SACK and timestamps negotiated with the kernel");
        checkBothWays("kernel->stack " + how, k, stackSide, bytes, kernelSeed, stackSeed, seconds);
        System.out.println("ss -ti (" + how + "): " + info.replaceAll("\\s+", " ").strip());
    }

    private static void stackConnectsToKernel(VirtualNetwork net, NetnsGuest guest, long bytes, long seed,
                                              String how) throws Exception {
        long kernelSeed = seed * 1000 + 1;
        long stackSeed = seed * 1000 + 2;
        CompletableFuture<NetnsGuest.Result> kernel = CompletableFuture.supplyAsync(() -> guest.exec(TRANSFER_LIMIT,
                blaster("listen", Integer.toString(KERNEL_PORT), Long.toString(bytes), Long.toString(kernelSeed))
                        .toArray(String[]::new)), r -> Thread.ofVirtual().start(r));
        TcpStream stream = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int attempt = 0; stream == null; attempt++) {
            TcpStream s = net.tcpStack().connect(GATEWAY, 41000 + (int) (seed * 100) + attempt, GUEST, KERNEL_PORT);
            try {
                s.awaitConnected(5, TimeUnit.SECONDS);
                stream = s;
            } catch (IOException e) {
                // the listener in the namespace is not up yet (its JVM is starting): refused, try again
                s.abort();
                assertTrue(System.nanoTime() < deadline && !kernel.isDone(), "cannot connect: " + e
                        + (kernel.isDone() ? " " + kernel.get() : ""));
                Thread.sleep(200);
            }
        }
        long t0 = System.nanoTime();
        Side stackSide = exchange(stream, bytes, stackSeed, new CountDownLatch(0));
        NetnsGuest.Result k = kernel.get(TRANSFER_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(stream.windowScaleNegotiated() && stream.sackNegotiated() && stream.timestampsNegotiated(),
                "options towards the kernel");
        checkBothWays("stack->kernel " + how, k, stackSide, bytes, kernelSeed, stackSeed, seconds);
    }

    private static void checkBothWays(String what, NetnsGuest.Result kernel, Side stack, long bytes, long kernelSeed,
                                      long stackSeed, double seconds) {
        assertTrue(kernel.ok(), what + ": kernel side " + kernel);
        Matcher m = RESULT.matcher(kernel.output());
        assertTrue(m.find(), what + ": kernel side printed no result: " + kernel);
        assertEquals(bytes, Long.parseLong(m.group(1)), what + ": bytes the kernel received");
        assertEquals(SeededChunks.sha256(stackSeed, bytes), m.group(2), what + ": sha256 at the kernel");
        assertEquals(bytes, stack.received(), what + ": bytes our stack received");
        assertEquals(SeededChunks.sha256(kernelSeed, bytes), stack.sha256(), what + ": sha256 at our stack");
        double mb = bytes / 1e6;
        System.out.printf("%s: %d MiB each way in %.2f s: %.1f MB/s per direction, %.1f MB/s total%n", what,
                bytes >> 20, seconds, mb / seconds, 2 * mb / seconds);
    }

    /** Our end: after {@code start}, sends the seeded bytes and half-closes while reading to end of stream. */
    private static Side exchange(TcpStream s, long bytes, long seed, CountDownLatch start) {
        try {
            if (!start.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never started");
            }
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] buf = new byte[SeededChunks.CHUNK];
                try {
                    for (long i = 0; i < bytes / SeededChunks.CHUNK; i++) {
                        SeededChunks.chunk(seed, i, buf);
                        s.write(buf, 0, buf.length);
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            MessageDigest md = SeededChunks.sha256();
            byte[] buf = new byte[SeededChunks.CHUNK];
            long received = 0;
            InputStream in = s.inputStream();
            s.setReadTimeout(TRANSFER_LIMIT.toSeconds(), TimeUnit.SECONDS);
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                received += n;
            }
            writer.get(TRANSFER_LIMIT.toSeconds(), TimeUnit.SECONDS);
            s.close();
            return new Side(received, HexFormat.of().formatHex(md.digest()));
        } catch (Exception e) {
            s.abort();
            throw new RuntimeException(s + ": " + e, e);
        }
    }
}
