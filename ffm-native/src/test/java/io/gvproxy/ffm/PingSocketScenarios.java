package io.gvproxy.ffm;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.nat.EchoDeniedException;
import io.gvproxy.core.nat.EchoMessage;
import io.gvproxy.core.wire.Checksum;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ping socket scenarios run by {@link PingSocketTest} in a child JVM inside a network namespace the test created:
 * {@code net.ipv4.ping_group_range} is a per-namespace setting, so changing it here leaves the host's alone, and
 * every address pinged exists only in the namespace. Exit status 0 = passed.
 */
public final class PingSocketScenarios {
    static final String ALLOW_ALL = "0 2147483647";
    static final String DENY_ALL = "1 0";
    private static final ValueLayout.OfShort BE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final byte[] DATA = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        TapScenarios.run("ip", "link", "set", "lo", "up");
        switch (args[0]) {
            case "reply" -> reply();
            case "denied" -> denied();
            case "close" -> closeWakesReceiver();
            case "unreachable" -> unreachable();
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("scenario " + args[0] + " passed");
        System.exit(0);
    }

    static void setRange(String range) throws IOException {
        Files.writeString(PingSocket.PING_GROUP_RANGE, range);
        check(PingSocket.readPingGroupRange().equals(range), "ping_group_range now " + PingSocket.readPingGroupRange());
    }

    static void check(boolean ok, String what) {
        TapScenarios.check(ok, what);
    }

    static void reply() throws Exception {
        setRange(ALLOW_ALL);
        int loopback = Ipv4.parse("127.0.0.1");
        try (PingSocket s = PingSocket.open()) {
            EchoMessage m = new EchoMessage(1514);
            for (int seq = 5; seq < 8; seq++) {
                long t0 = System.nanoTime();
                s.send(loopback, 0x4321, seq, 64, MemorySegment.ofArray(DATA));
                check(s.receive(m, 5000), "a reply to seq " + seq);
                System.out.printf("reply seq %d in %.3f ms (kernel identifier %d)%n", seq,
                        (System.nanoTime() - t0) / 1e6, s.kernelIdentifier());
                check(m.kind() == EchoMessage.Kind.REPLY, "kind " + m.kind());
                check(m.source() == loopback, "source " + Ipv4.toString(m.source()));
                check(m.identifier() == 0x4321, "identifier mapped back: " + m.identifier());
                check(m.sequence() == seq, "sequence " + m.sequence());
                check(java.util.Arrays.equals(m.data().toArray(ValueLayout.JAVA_BYTE), DATA), "data");
            }
            check(!s.receive(m, 200), "nothing more");
        }
    }

    static void denied() throws Exception {
        setRange(DENY_ALL);
        try (PingSocket s = PingSocket.open()) {
            throw new AssertionError("opened a ping socket with ping_group_range \"1 0\"");
        } catch (EchoDeniedException e) {
            System.out.println("denied: " + e.getMessage());
            check(e.getMessage().contains("ICMP echo forwarding is off"), e.getMessage());
            check(e.getMessage().contains("net.ipv4.ping_group_range (\"1 0\")"), e.getMessage());
            check(e.getMessage().contains("errno 13"), "EACCES: " + e.getMessage());
        }
        List<String> log = new CopyOnWriteArrayList<>();
        PingSocketFactory factory = new PingSocketFactory(log::add);
        for (int i = 0; i < 3; i++) {
            try {
                factory.open().close();
                throw new AssertionError("the factory opened a socket");
            } catch (EchoDeniedException expected) {
                // each refusal fails; only the first is logged
            }
        }
        check(log.size() == 1, "logged once: " + log);
        setRange(ALLOW_ALL);
        factory.open().close();
        check(log.size() == 1, "no line once allowed: " + log);
    }

    static void closeWakesReceiver() throws Exception {
        setRange(ALLOW_ALL);
        PingSocket s = PingSocket.open();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                s.receive(new EchoMessage(64), 60_000);
                outcome.set(new AssertionError("receive returned"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        Thread.sleep(300);
        check(reader.isAlive(), "the reader blocks");
        long t0 = System.nanoTime();
        s.close();
        reader.join(5000);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("close woke the reader in " + ms + " ms");
        check(!reader.isAlive(), "close woke the reader");
        check(outcome.get() instanceof ClosedChannelException, "outcome " + outcome.get());
        check(ms < PingSocket.WAKE_SLICE_MILLIS, "woken by the close itself, not a poll slice: " + ms + " ms");
        try {
            s.send(Ipv4.parse("127.0.0.1"), 1, 1, 64, MemorySegment.ofArray(DATA));
            throw new AssertionError("sent on a closed socket");
        } catch (ClosedChannelException expected) {
            // closed
        }
        s.close();
    }

    /** A neighbour that never answers ARP: the kernel reports host unreachable into the error queue. */
    static void unreachable() throws Exception {
        setRange(ALLOW_ALL);
        TapScenarios.run("ip", "link", "add", "pv0", "type", "veth", "peer", "name", "pv1");
        TapScenarios.run("ip", "addr", "add", "10.203.0.1/24", "dev", "pv0");
        TapScenarios.run("ip", "link", "set", "pv0", "up");
        TapScenarios.run("ip", "link", "set", "pv1", "up");
        int missing = Ipv4.parse("10.203.0.3");
        try (PingSocket s = PingSocket.open()) {
            EchoMessage m = new EchoMessage(1514);
            s.send(missing, 0x0bad, 9, 64, MemorySegment.ofArray(DATA));
            long t0 = System.nanoTime();
            check(s.receive(m, 15_000), "an error within 15 s");
            System.out.printf("error after %.0f ms: type %d code %d from %s, quote %d bytes%n",
                    (System.nanoTime() - t0) / 1e6, m.errorType(), m.errorCode(), Ipv4.toString(m.source()),
                    m.length());
            check(m.kind() == EchoMessage.Kind.ERROR, "kind " + m.kind());
            check(m.errorType() == 3 && m.errorCode() == 1, "host unreachable");
            check(m.source() == Ipv4.parse("10.203.0.1"), "reported by our own address");
            MemorySegment q = m.data();
            check(q.byteSize() == 8 + DATA.length, "the whole request quoted: " + q.byteSize());
            check(q.get(ValueLayout.JAVA_BYTE, 0) == 8, "an echo request");
            check(Short.toUnsignedInt(q.get(BE_SHORT, 4)) == 0x0bad, "our identifier restored");
            check(Short.toUnsignedInt(q.get(BE_SHORT, 6)) == 9, "sequence");
            check(Checksum.sum(q, 0, q.byteSize()) == 0xFFFF, "the quote's checksum matches our identifier");
        }
    }
}
