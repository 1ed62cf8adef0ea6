package io.gvproxy.ffm;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Tap scenarios run by {@link TapLinkTest} in a child JVM inside a network namespace the test created, so
 * that every interface, address and packet here exists only in that namespace. Exit status 0 = passed.
 */
public final class TapScenarios {
    static final MacAddress TAP_MAC = MacAddress.parse("02:00:00:00:00:02");
    static final MacAddress GATEWAY_MAC = MacAddress.parse("5a:94:ef:e4:0c:dd");
    static final byte[] HOST_IP = {(byte) 192, (byte) 168, 127, 2};
    static final byte[] GATEWAY_IP = {(byte) 192, (byte) 168, 127, 1};

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "configure" -> configure();
            case "arp" -> arpThenUdp();
            case "close" -> closeWakesReader();
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("scenario " + args[0] + " passed");
        System.exit(0);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    static void configure() throws Exception {
        try (TapDevice tap = TapDevice.open("gvtap0")) {
            check(tap.name().equals("gvtap0"), "name " + tap.name());
            tap.setMac(TAP_MAC);
            tap.setMtu(1400);
            check(!tap.isUp(), "a new tap starts down");
            tap.setUp(true);
            check(tap.isUp(), "up after setUp(true)");
            check(tap.mac().equals(TAP_MAC), "mac " + tap.mac());
            check(tap.mtu() == 1400, "mtu " + tap.mtu());
            String link = run("ip", "-o", "link", "show", "dev", "gvtap0");
            System.out.println(link.trim());
            String flags = link.substring(link.indexOf('<') + 1, link.indexOf('>'));
            check(java.util.List.of(flags.split(",")).contains("UP"), "ip shows UP: " + link);
            check(link.contains(" mtu 1400 "), "ip shows mtu 1400: " + link);
            check(link.contains("link/ether 02:00:00:00:00:02"), "ip shows the MAC: " + link);
            tap.setUp(false);
            check(!run("ip", "-o", "link", "show", "dev", "gvtap0").contains(",UP"), "down again");
        }
        check(!run("ip", "-o", "link").contains("gvtap0"), "a non-persistent tap disappears when closed");

        try (TapDevice pattern = TapDevice.open("gvt%d")) {
            check(pattern.name().equals("gvt0"), "kernel-chosen name " + pattern.name());
        }

        run("ip", "tuntap", "add", "dev", "gvtap1", "mode", "tap");
        try (TapDevice attached = TapDevice.open("gvtap1")) {
            check(attached.name().equals("gvtap1"), "attached " + attached.name());
            attached.setMtu(9000);
            check(attached.mtu() == 9000, "mtu on attached device");
        }
        check(run("ip", "-o", "link", "show", "dev", "gvtap1").contains(" mtu 9000 "), "persistent tap stays with its settings");

        try {
            TapDevice.open("lo").close();
            check(false, "attaching a tap to lo must fail");
        } catch (NativeException e) {
            System.out.println(e.getMessage());
            check(e.getMessage().startsWith("TUNSETIFF lo: "), e.getMessage());
        }
    }

    /** The kernel ARPs for the gateway before sending UDP to it; answering lets the UDP frame through. */
    static void arpThenUdp() throws Exception {
        Counters counters = new Counters();
        TapDevice tap = TapDevice.open("gvtap0");
        TapLink link = new TapLink(tap, counters, "link.tap");
        BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(1024);
        Thread reader = Thread.ofPlatform().start(() -> {
            FramePool pool = new FramePool(1000, 2); // below the MTU, to see a truncated read counted
            Frame f = pool.acquire();
            try {
                while (link.receive(f)) {
                    frames.offer(f.data().toArray(ValueLayout.JAVA_BYTE));
                }
            } catch (IOException e) {
                e.printStackTrace();
            }
        });
        try {
            tap.setMac(TAP_MAC);
            tap.setUp(true);
            run("ip", "addr", "add", "192.168.127.2/24", "dev", "gvtap0");
            byte[] payload = "hello gateway".getBytes(StandardCharsets.US_ASCII);
            try (DatagramSocket udp = new DatagramSocket()) {
                udp.send(new DatagramPacket(payload, payload.length, InetAddress.getByAddress(GATEWAY_IP), 9));
            }
            byte[] request = await(frames, f -> etherType(f) == 0x0806 && f.length >= 42 && u16(f, 20) == 1
                    && slice(f, 38, 4).equals(ByteBuffer.wrap(GATEWAY_IP)));
            check(MacAddress.fromBytes(request, 6).equals(TAP_MAC), "ARP request comes from the tap's MAC");
            link.send(MemorySegment.ofArray(arpReply()));
            byte[] udp = await(frames, f -> etherType(f) == 0x0800 && f[23] == 17);
            check(MacAddress.fromBytes(udp, 0).equals(GATEWAY_MAC), "UDP frame goes to the MAC we answered with");
            int ihl = (udp[14] & 0xF) * 4;
            check(u16(udp, 14 + ihl + 2) == 9, "UDP to port 9");
            byte[] data = java.util.Arrays.copyOfRange(udp, 14 + ihl + 8, udp.length);
            check(java.util.Arrays.equals(data, payload), "payload");
            try (DatagramSocket more = new DatagramSocket()) {
                byte[] big = new byte[1200];
                more.send(new DatagramPacket(big, big.length, InetAddress.getByAddress(GATEWAY_IP), 9));
                more.send(new DatagramPacket(payload, payload.length, InetAddress.getByAddress(GATEWAY_IP), 10));
            }
            byte[] after = await(frames, f -> etherType(f) == 0x0800 && f[23] == 17);
            check(u16(after, 14 + ihl + 2) == 10, "the 1242-byte frame was dropped, the next one delivered; got "
                    + after.length + " bytes to port " + u16(after, 14 + ihl + 2) + ", " + counters.snapshot());
            check(counters.get("link.tap.rx_truncated") == 1, "truncated read counted: " + counters.snapshot());
            String neigh = run("ip", "neigh", "show", "192.168.127.1");
            System.out.println(neigh.trim());
            check(neigh.contains("5a:94:ef:e4:0c:dd"), "kernel learned our ARP answer: " + neigh);
        } finally {
            link.close();
            reader.join(5000);
            check(!reader.isAlive(), "reader left after close");
        }
    }

    static void closeWakesReader() throws Exception {
        TapDevice tap = TapDevice.open("gvtap0");
        TapLink link = new TapLink(tap, new Counters(), "link.tap");
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(link.receive(new FramePool(1600, 1).acquire()));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        Thread.sleep(300);
        check(!result.isDone(), "receive blocks on a down tap");
        long t0 = System.nanoTime();
        link.close();
        link.close();
        check(!result.get(2, TimeUnit.SECONDS), "receive returns false after close");
        System.out.println("reader woke in " + (System.nanoTime() - t0) / 1000 + " us");
        check(!run("ip", "-o", "link").contains("gvtap0"), "tap gone once the reader left");
    }

    static byte[] arpReply() {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put(TAP_MAC.toBytes()).put(GATEWAY_MAC.toBytes()).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        b.put(GATEWAY_MAC.toBytes()).put(GATEWAY_IP).put(TAP_MAC.toBytes()).put(HOST_IP);
        return b.array();
    }

    static int etherType(byte[] f) {
        return f.length >= 14 ? u16(f, 12) : -1;
    }

    static int u16(byte[] f, int off) {
        return ((f[off] & 0xFF) << 8) | (f[off + 1] & 0xFF);
    }

    static ByteBuffer slice(byte[] f, int off, int len) {
        return ByteBuffer.wrap(f, off, len).slice();
    }

    static byte[] await(BlockingQueue<byte[]> frames, java.util.function.Predicate<byte[]> want) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int skipped = 0;
        for (;;) {
            long left = deadline - System.nanoTime();
            byte[] f = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
            check(f != null, "expected frame not seen within 10 s (" + skipped + " others skipped)");
            if (want.test(f)) {
                return f;
            }
            skipped++;
        }
    }
}
