package io.gvproxy.jmh;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.gateway.Gateway;
import io.gvproxy.core.gateway.GatewayConfig;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.tcpip.TcpStack;
import io.gvproxy.core.tcpip.TcpStackConfig;
import io.gvproxy.core.tcpip.TcpStream;
import io.gvproxy.core.wire.Checksum;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.TcpOptions;
import io.gvproxy.core.wire.TcpSegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The TCP stack's speed, with frames passing the gateway's IPv4 checks and the stack's checksum verification:
 * <ul>
 *   <li>{@code receivePath}: one in-order 1448-byte data segment from a guest per operation (the application
 *   drains the stream as it fills), so the score is received segments per second;</li>
 *   <li>{@code sendPath}: one MSS-sized write per operation, the segment it produces, and the guest's ACK for
 *   it: sent segments per second;</li>
 *   <li>{@code twoStacks}: one 64 KiB write per operation from one stack to another through in-memory queues
 *   and a delivery thread per direction, drained by a reader thread: bytes per second = score * 65536.</li>
 * </ul>
 * Run: {@code java -jar jmh/target/benchmarks.jar TcpBenchmark -f 1 -wi 2 -i 3 -w 2 -r 3}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class TcpBenchmark {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int MSS = 1448;
    static final long GUEST_MAC = MacAddress.parse("5a:94:ef:e4:0c:ee").bits();
    static final int GUEST = Ipv4.parse("192.168.127.2");
    static final int REMOTE = Ipv4.parse("10.0.0.9");
    static final int TCP_AT = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;

    /** A guest frame from GUEST:40000 to REMOTE:80 without options, built into {@code frame}. */
    static void guestSegment(Frame frame, int seq, int ack, int flags, TcpOptions options, int payload) {
        MemorySegment s = frame.buffer();
        int hl = TcpSegment.headerLength(options);
        long ipAt = EthernetFrame.writeHeader(s, 0, GatewayConfig.DEFAULT_MAC.bits(), GUEST_MAC, EtherType.IPV4);
        for (int i = 0; i < payload; i++) {
            s.set(ValueLayout.JAVA_BYTE, TCP_AT + hl + i, (byte) i);
        }
        TcpSegment.write(s, TCP_AT, 40000, 80, seq, ack, flags, 0xFFFF, 0, options, payload, GUEST, REMOTE);
        Ipv4Packet.writeHeader(s, ipAt, 0, 20 + hl + payload, 1, Ipv4Packet.FLAG_DF, 0, 64, IpProtocol.TCP, GUEST,
                REMOTE);
        frame.setLength(TCP_AT + hl + payload);
    }

    /** Rewrites a 32-bit field of the TCP header at {@code at} and patches the checksum incrementally. */
    static void patch32(Frame frame, int at, int value) {
        MemorySegment s = frame.buffer();
        int old = s.get(U32, TCP_AT + at);
        int sum = Short.toUnsignedInt(s.get(U16, TCP_AT + 16));
        s.set(U32, TCP_AT + at, value);
        s.set(U16, TCP_AT + 16, (short) Checksum.update32(sum, old, value));
    }

    /** A stack behind a gateway whose output records the last frame's sequence end and drops it. */
    public static class Endpoint {
        final Counters counters = new Counters();
        final FramePool pool = new FramePool(1518, 256);
        final Frame in = new FramePool(2048, 1).acquire();
        Gateway gateway;
        TcpStack stack;
        TcpStream stream;
        volatile int lastSeq;
        volatile int lastEnd;

        void open() throws Exception {
            gateway = new Gateway(GatewayConfig.defaults(), counters, pool, f -> { });
            stack = new TcpStack(TcpStackConfig.forMtu(1500), counters, pool, GatewayConfig.DEFAULT_MAC, this::sent);
            gateway.setIpv4Handler(IpProtocol.TCP, stack);
            CompletableFuture<TcpStream> accepted = new CompletableFuture<>();
            stack.setSynListener(o -> accepted.complete(o.accept().orElseThrow()));
            guestSegment(in, 0, 0, TcpSegment.SYN, new TcpOptions().mss(1460).windowScale(7).sackPermitted(true), 0);
            gateway.accept(in);
            int serverNext = lastSeq + 1;
            guestSegment(in, 1, serverNext, TcpSegment.ACK, null, 0);
            gateway.accept(in);
            stream = accepted.get(5, TimeUnit.SECONDS);
            stream.awaitConnected(5, TimeUnit.SECONDS);
        }

        private void sent(Frame f) {
            MemorySegment s = f.buffer();
            int seq = s.get(U32, TCP_AT + 4);
            int ipLen = Short.toUnsignedInt(s.get(U16, EthernetFrame.HEADER_LENGTH + 2));
            int hl = (Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, TCP_AT + 12)) >>> 4) * 4;
            lastSeq = seq;
            lastEnd = seq + ipLen - 20 - hl;
        }

        void close() {
            stack.close();
        }
    }

    @State(Scope.Thread)
    public static class Receive extends Endpoint {
        int seq = 1;
        final byte[] drain = new byte[1 << 20];

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            open();
            guestSegment(in, 1, lastSeq + 1, TcpSegment.ACK | TcpSegment.PSH, null, MSS);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            close();
        }
    }

    @State(Scope.Thread)
    public static class Send extends Endpoint {
        byte[] data;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            open();
            // one full segment per write: the MSS the handshake settled on
            data = new byte[stream.sendMss()];
            guestSegment(in, 1, lastSeq + 1, TcpSegment.ACK, null, 0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            close();
        }
    }

    @Benchmark
    public int receivePath(Receive r) throws IOException {
        patch32(r.in, 4, r.seq);
        r.gateway.accept(r.in);
        r.seq += MSS;
        int n = 0;
        if (r.stream.available() >= (256 << 10)) {
            n = r.stream.read(r.drain, 0, r.drain.length);
        }
        return n;
    }

    @Benchmark
    public int sendPath(Send s) throws IOException {
        s.stream.write(s.data, 0, s.data.length);
        patch32(s.in, 8, s.lastEnd);
        s.gateway.accept(s.in);
        return s.lastEnd;
    }

    /** Two stacks, A at .1 and B at .2, whose outputs are queues delivered to the other's gateway by a thread. */
    @State(Scope.Benchmark)
    public static class Pair {
        static final Ipv4Subnet SUBNET = Ipv4Subnet.parse("192.168.127.0/24");
        final byte[] chunk = new byte[64 << 10];
        TcpStack a;
        TcpStack b;
        TcpStream writer;
        Thread reader;
        Thread[] pumps;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Counters counters = new Counters();
            FramePool pool = FramePool.forMtu(1500);
            MacAddress macA = MacAddress.parse("02:00:00:00:00:0a");
            MacAddress macB = MacAddress.parse("02:00:00:00:00:0b");
            int ipA = Ipv4.parse("192.168.127.1");
            int ipB = Ipv4.parse("192.168.127.2");
            BlockingQueue<Frame> toA = new ArrayBlockingQueue<>(4096);
            BlockingQueue<Frame> toB = new ArrayBlockingQueue<>(4096);
            Gateway ga = new Gateway(new GatewayConfig(macA, ipA, SUBNET, new int[0], 1500, true), counters, pool,
                    f -> { });
            Gateway gb = new Gateway(new GatewayConfig(macB, ipB, SUBNET, new int[0], 1500, true), counters, pool,
                    f -> { });
            a = new TcpStack(TcpStackConfig.forMtu(1500), counters, pool, macA, f -> offer(toB, f));
            b = new TcpStack(TcpStackConfig.forMtu(1500), counters, pool, macB, f -> offer(toA, f));
            ga.setIpv4Handler(IpProtocol.TCP, a);
            gb.setIpv4Handler(IpProtocol.TCP, b);
            pumps = new Thread[] {pump("to-a", toA, ga), pump("to-b", toB, gb)};
            CompletableFuture<TcpStream> accepted = new CompletableFuture<>();
            b.setSynListener(o -> accepted.complete(o.accept().orElseThrow()));
            writer = a.connect(ipA, 40000, ipB, 5001, macB);
            writer.awaitConnected(5, TimeUnit.SECONDS);
            TcpStream sink = accepted.get(5, TimeUnit.SECONDS);
            reader = Thread.ofPlatform().daemon().name("drain").start(() -> {
                byte[] buf = new byte[1 << 20];
                try {
                    while (sink.read(buf, 0, buf.length) >= 0) {
                        // discard
                    }
                } catch (IOException e) {
                    // closed at tear-down
                }
            });
        }

        private static void offer(BlockingQueue<Frame> q, Frame f) {
            f.retain();
            if (!q.offer(f)) {
                f.release();
            }
        }

        private static Thread pump(String name, BlockingQueue<Frame> q, Gateway to) {
            return Thread.ofPlatform().daemon().name(name).start(() -> {
                try {
                    while (true) {
                        Frame f = q.take();
                        try {
                            to.accept(f);
                        } finally {
                            f.release();
                        }
                    }
                } catch (InterruptedException e) {
                    // tear-down
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            a.close();
            b.close();
            for (Thread t : pumps) {
                t.interrupt();
                t.join(5000);
            }
            reader.join(5000);
        }
    }

    @Benchmark
    public void twoStacks(Pair p) throws IOException {
        p.writer.write(p.chunk, 0, p.chunk.length);
    }
}
