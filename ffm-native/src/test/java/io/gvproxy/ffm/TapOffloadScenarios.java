package io.gvproxy.ffm;

import static io.gvproxy.ffm.TapScenarios.GATEWAY_IP;
import static io.gvproxy.ffm.TapScenarios.GATEWAY_MAC;
import static io.gvproxy.ffm.TapScenarios.TAP_MAC;
import static io.gvproxy.ffm.TapScenarios.check;
import static io.gvproxy.ffm.TapScenarios.etherType;
import static io.gvproxy.ffm.TapScenarios.run;
import static io.gvproxy.ffm.TapScenarios.u16;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.TcpOptions;
import io.gvproxy.core.wire.TcpSegment;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A tap with IFF_VNET_HDR and offloads against the namespace's own kernel (child JVM, see {@link TapLinkTest}):
 * partial checksums come out and are completed, a TCP stream comes out as TSO super-frames that segment into valid
 * frames, and a large frame written with a segmentation header is taken whole by the kernel.
 */
public final class TapOffloadScenarios {
    private static final int GUEST = 0xC0A87F02;
    private static final int GATEWAY = 0xC0A87F01;
    private static final int HEADER = VirtioNetHeader.SIZE;

    public static void main(String[] args) throws Exception {
        if (!args[0].equals("offloads")) {
            throw new IllegalArgumentException(args[0]);
        }
        offloads();
        System.out.println("scenario " + args[0] + " passed");
        System.exit(0);
    }

    static void offloads() throws Exception {
        TapDevice tap = TapDevice.openWithOffloads("gvtap0", TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4);
        check(tap.vnetHeaderSize() == HEADER, "vnet header size " + tap.vnetHeaderSize());
        check(tap.offloads() == (TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4), "offloads " + tap.offloads());
        TapLink link = new TapLink(tap, new Counters(), "link.tap");
        // each queued entry: the 12-byte header, then the frame
        BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(4096);
        Thread reader = Thread.ofPlatform().start(() -> {
            Frame f = new FramePool(65535 + 14, 1).acquire();
            try {
                while (link.receive(f)) {
                    byte[] e = new byte[HEADER + f.length()];
                    MemorySegment.copy(link.receivedHeader().segment(), ValueLayout.JAVA_BYTE, 0, e, 0, HEADER);
                    MemorySegment.copy(f.data(), ValueLayout.JAVA_BYTE, 0, e, HEADER, f.length());
                    frames.offer(e);
                }
            } catch (IOException e) {
                e.printStackTrace();
            }
        });
        try {
            tap.setMac(TAP_MAC);
            tap.setMtu(1500);
            tap.setUp(true);
            run("ip", "addr", "add", "192.168.127.2/24", "dev", "gvtap0");
            run("ip", "neigh", "replace", "192.168.127.1", "lladdr", GATEWAY_MAC.toString(), "dev", "gvtap0",
                    "nud", "permanent");
            udpChecksumIsCompleted(frames);
            tcpStreamComesAsSuperFrames(frames, link);
            largeFrameIsTakenWhole(frames, link);
        } finally {
            link.close();
            reader.join(5000);
            check(!reader.isAlive(), "reader left after close");
        }
    }

    private static void udpChecksumIsCompleted(BlockingQueue<byte[]> frames) throws Exception {
        byte[] payload = new byte[1000];
        java.util.Arrays.fill(payload, (byte) 0x5A);
        try (DatagramSocket udp = new DatagramSocket()) {
            udp.send(new DatagramPacket(payload, payload.length, InetAddress.getByAddress(GATEWAY_IP), 9));
        }
        byte[] e = await(frames, f -> etherType(f) == 0x0800 && f[23] == 17);
        MemorySegment frame = frameOf(e);
        VirtioNetHeader h = headerOf(e);
        System.out.println("UDP from the guest: flags " + h.flags() + ", csum_start " + h.csumStart());
        check(SuperFrame.completeChecksum(frame, (int) frame.byteSize(), h), "checksum position inside the frame");
        check(transportSumValid(frame, IpProtocol.UDP), "UDP checksum valid after completion");
    }

    private static void tcpStreamComesAsSuperFrames(BlockingQueue<byte[]> frames, TapLink link) throws Exception {
        byte[] data = new byte[200_000];
        new java.util.Random(3).nextBytes(data);
        Thread client = Thread.ofPlatform().start(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByAddress(GATEWAY_IP), 80), 10_000);
                OutputStream out = s.getOutputStream();
                out.write(data);
                out.flush();
                Thread.sleep(3000);
            } catch (IOException | InterruptedException e) {
                System.out.println("client: " + e);
            }
        });
        byte[] syn = frameBytes(await(frames, f -> etherType(f) == 0x0800 && f[23] == 6 && (f[47] & 0x02) != 0));
        int clientSeq = ByteBuffer.wrap(syn, 38, 4).getInt();
        int clientPort = u16(syn, 34);
        int serverSeq = 777_000;
        // SYN-ACK with MSS 1460 and a 64 KiB window: the guest's first flight is 10 segments, which TSO sends together
        link.send(tcp(clientPort, serverSeq, clientSeq + 1, TcpSegment.SYN | TcpSegment.ACK,
                new TcpOptions().mss(1460), new byte[0]));
        byte[] superFrame = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (superFrame == null && System.nanoTime() < deadline) {
            byte[] e = await(frames, f -> etherType(f) == 0x0800 && f[23] == 6);
            if (headerOf(e).gsoType() == VirtioNetHeader.GSO_TCPV4) {
                superFrame = e;
            }
        }
        check(superFrame != null, "a TSO super-frame within 10 s");
        VirtioNetHeader h = headerOf(superFrame);
        MemorySegment frame = frameOf(superFrame);
        System.out.println("TSO super-frame of " + frame.byteSize() + " bytes, gso_size " + h.gsoSize());
        check(frame.byteSize() > 1514, "longer than one MTU frame");
        TcpSuperFrame sf = new TcpSuperFrame();
        check(sf.wrap(frame, (int) frame.byteSize(), h.gsoSize()), "super-frame parses");
        MemorySegment out = Arena.ofAuto().allocate(sf.maxSegmentLength());
        for (int i = 0; i < sf.segmentCount(); i++) {
            int len = sf.write(i, out);
            check(len <= 1514, "segment " + i + " within the MTU: " + len);
            check(Checksum.checksum(out, 14, 20) == 0, "segment " + i + " IPv4 checksum");
            check(transportSumValid(out.asSlice(0, len), IpProtocol.TCP), "segment " + i + " TCP checksum");
        }
        client.interrupt();
        client.join(5000);
    }

    /** A TCP frame without ACK to a closed port: the RST acknowledges seq + length, so the kernel took all of it. */
    private static void largeFrameIsTakenWhole(BlockingQueue<byte[]> frames, TapLink link) throws Exception {
        byte[] payload = new byte[20_000];
        MemorySegment frame = tcp(40_000, 5_000_000, 0, TcpSegment.PSH, null, payload);
        TcpSuperFrame sf = new TcpSuperFrame();
        check(sf.wrapForMtu(frame, (int) frame.byteSize(), 1500) && sf.needsSegments(), "large frame parses");
        sf.toPartialChecksum();
        link.sendSegmented(frame, sf.tcpOffset(), sf.headersLength(), sf.segmentSize());
        byte[] rst = frameBytes(await(frames, f -> etherType(f) == 0x0800 && f[23] == 6 && (f[47] & 0x04) != 0));
        int ack = ByteBuffer.wrap(rst, 42, 4).getInt();
        check(ack == 5_000_000 + payload.length, "RST acknowledges the whole large frame: ack " + ack);
    }

    private static MemorySegment tcp(int dstPort, int seq, int ack, int flags, TcpOptions options, byte[] payload) {
        int tcpHeader = TcpSegment.headerLength(options);
        MemorySegment s = Arena.ofAuto().allocate(34 + tcpHeader + payload.length);
        long ipAt = EthernetFrame.writeHeader(s, 0, TAP_MAC.bits(), GATEWAY_MAC.bits(), EtherType.IPV4);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, s, 34 + tcpHeader, payload.length);
        TcpSegment.write(s, 34, 80, dstPort, seq, ack, flags, 65535, 0, options,
                payload.length, GATEWAY, GUEST);
        Ipv4Packet.writeHeader(s, ipAt, 0, 20 + tcpHeader + payload.length, 1, Ipv4Packet.FLAG_DF, 0, 64,
                IpProtocol.TCP, GATEWAY, GUEST);
        return s;
    }

    private static boolean transportSumValid(MemorySegment frame, int protocol) {
        int length = (int) frame.byteSize() - 34;
        int src = frame.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 26);
        int dst = frame.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 30);
        return (Checksum.finish(Checksum.sum(frame, 34, length, Checksum.pseudoHeaderSum(src, dst, protocol, length)))
                & 0xFFFF) == 0;
    }

    private static VirtioNetHeader headerOf(byte[] e) {
        MemorySegment h = Arena.ofAuto().allocate(HEADER);
        MemorySegment.copy(e, 0, h, ValueLayout.JAVA_BYTE, 0, HEADER);
        return new VirtioNetHeader(h);
    }

    private static MemorySegment frameOf(byte[] e) {
        MemorySegment f = Arena.ofAuto().allocate(e.length - HEADER);
        MemorySegment.copy(e, HEADER, f, ValueLayout.JAVA_BYTE, 0, e.length - HEADER);
        return f;
    }

    private static byte[] frameBytes(byte[] e) {
        return java.util.Arrays.copyOfRange(e, HEADER, e.length);
    }

    /** The next queued frame (header stripped for the test) that {@code want} accepts, within 10 s. */
    private static byte[] await(BlockingQueue<byte[]> frames, Predicate<byte[]> want) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long left = deadline - System.nanoTime();
            byte[] e = frames.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            check(e != null, "no matching frame within 10 s");
            if (want.test(frameBytes(e))) {
                return e;
            }
        }
    }
}
