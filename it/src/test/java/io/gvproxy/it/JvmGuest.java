package io.gvproxy.it;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.link.StreamFraming;
import io.gvproxy.core.link.StreamLink;
import io.gvproxy.core.link.VpnkitHandshake;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.core.wire.ArpPacket;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IcmpType;
import io.gvproxy.core.wire.Icmpv4Packet;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A guest emulated in the test JVM on one {@link Link} into gvproxy's switch: it answers ARP requests for
 * its address with its MAC and ICMP echo requests to it with echo replies, learns neighbours from ARP, and
 * pings other guests ({@link #ping}), counting the replies. One platform thread reads the link; replies are
 * sent from it, pings from the caller.
 */
final class JvmGuest implements AutoCloseable {
    private static final int ECHO_PAYLOAD = 56;
    private static final Duration ARP_RETRY = Duration.ofMillis(200);

    private final Link link;
    private final MacAddress mac;
    private final int ip;
    private final int echoId;
    private final Thread reader;
    private final Map<Integer, Long> neighbours = new ConcurrentHashMap<>();
    private final Set<Integer> echoReplies = ConcurrentHashMap.newKeySet();
    private final AtomicLong arpRequestsAnswered = new AtomicLong();
    private final AtomicLong echoRequestsAnswered = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong badChecksums = new AtomicLong();
    private volatile IOException failure;

    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ipv4 = new Ipv4Packet();
    private final Icmpv4Packet icmp = new Icmpv4Packet();

    private JvmGuest(String name, Link link, MacAddress mac, int ip) {
        this.link = link;
        this.mac = mac;
        this.ip = ip;
        this.echoId = (int) (ProcessHandle.current().pid() & 0xFFFF);
        this.reader = Thread.ofPlatform().daemon().name("jvm-guest-" + name).start(this::read);
    }

    /** A guest with address {@code ip} and MAC {@code mac} on {@code link}, which it owns from now on. */
    static JvmGuest start(String name, Link link, MacAddress mac, String ip) {
        return new JvmGuest(name, link, mac, Ipv4.parse(ip));
    }

    /** Connects to gvproxy's -listen-vpnkit unix socket, does the VPNKit handshake and uses the MAC it hands out. */
    static JvmGuest overVpnkit(String name, Path socket, String uuid, String ip) {
        try {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                VpnkitHandshake.Response response = VpnkitHandshake.connect(channel, uuid);
                Link link = StreamLink.of(name, channel, StreamFraming.HYPERKIT, new Counters());
                return start(name, link, response.mac(), ip);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("vpnkit guest " + name + " could not join via " + socket, e);
        }
    }

    MacAddress mac() {
        return mac;
    }

    long arpRequestsAnswered() {
        return arpRequestsAnswered.get();
    }

    long echoRequestsAnswered() {
        return echoRequestsAnswered.get();
    }

    /** The MAC learned for {@code target}, asking by ARP every 200 ms until {@code limit} passes. */
    Optional<MacAddress> resolve(String target, Duration limit) throws IOException, InterruptedException {
        int address = Ipv4.parse(target);
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Long known = neighbours.get(address);
            if (known != null) {
                return Optional.of(new MacAddress(known));
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            sendArpRequest(address);
            Thread.sleep(ARP_RETRY);
        }
    }

    /**
     * Resolves {@code target}, sends {@code count} echo requests (sequence 1..count) {@code interval}
     * apart, then waits up to {@code replyWait} for the outstanding replies; returns how many distinct
     * sequences were answered (0 when the target never resolved).
     */
    int ping(String target, int count, Duration interval, Duration replyWait) throws IOException, InterruptedException {
        Optional<MacAddress> targetMac = resolve(target, replyWait);
        if (targetMac.isEmpty()) {
            return 0;
        }
        int address = Ipv4.parse(target);
        echoReplies.clear();
        for (int seq = 1; seq <= count; seq++) {
            sendEchoRequest(targetMac.get().bits(), address, seq);
            Thread.sleep(interval);
        }
        long deadline = System.nanoTime() + replyWait.toNanos();
        while (echoReplies.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return (int) echoReplies.stream().filter(s -> s >= 1 && s <= count).count();
    }

    /** What the guest saw, for failure messages. */
    String stats() {
        return "JvmGuest " + Ipv4.toString(ip) + " " + mac + ": answered " + arpRequestsAnswered + " ARP and "
                + echoRequestsAnswered + " echo requests; ignored " + ignored + " frames; " + badChecksums
                + " bad ICMP checksums; neighbours " + neighbours.keySet().stream().map(Ipv4::toString).toList()
                + (failure == null ? "" : "; link failed: " + failure);
    }

    @Override
    public void close() {
        try {
            link.close();
        } catch (IOException e) {
            // The reader ends either way once the link is gone.
        }
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read() {
        FramePool pool = FramePool.forMtu(1500);
        Frame frame = pool.acquire();
        try {
            while (link.receive(frame)) {
                handle(frame.data());
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            frame.release();
        }
    }

    private void handle(MemorySegment frame) throws IOException {
        if (eth.wrap(frame) != null) {
            ignored.incrementAndGet();
            return;
        }
        if (eth.etherType() == EtherType.ARP && arp.wrap(frame, eth.payloadOffset(), eth.payloadLength()) == null) {
            handleArp();
        } else if (eth.etherType() == EtherType.IPV4
                && ipv4.wrap(frame, eth.payloadOffset(), eth.payloadLength()) == null
                && ipv4.destinationAddress() == ip && ipv4.protocol() == IpProtocol.ICMP && !ipv4.isFragment()
                && icmp.wrap(frame, ipv4.payloadOffset(), ipv4.payloadLength()) == null) {
            handleIcmp(frame);
        } else {
            ignored.incrementAndGet();
        }
    }

    private void handleArp() throws IOException {
        if (arp.senderProtocolAddress() != 0) {
            neighbours.put(arp.senderProtocolAddress(), arp.senderHardwareAddress());
        }
        if (arp.operation() == ArpPacket.OP_REQUEST && arp.targetProtocolAddress() == ip && !arp.isGratuitous()) {
            MemorySegment reply = MemorySegment.ofArray(new byte[EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH]);
            long at = EthernetFrame.writeHeader(reply, 0, arp.senderHardwareAddress(), mac.bits(), EtherType.ARP);
            ArpPacket.write(reply, at, ArpPacket.OP_REPLY, mac.bits(), ip,
                    arp.senderHardwareAddress(), arp.senderProtocolAddress());
            link.send(reply);
            arpRequestsAnswered.incrementAndGet();
        }
    }

    private void handleIcmp(MemorySegment frame) throws IOException {
        if (!icmp.checksumValid()) {
            badChecksums.incrementAndGet();
            return;
        }
        if (icmp.type() == IcmpType.ECHO_REQUEST && icmp.code() == 0) {
            long payload = icmp.payloadLength();
            int icmpLength = (int) (Icmpv4Packet.HEADER_LENGTH + payload);
            MemorySegment reply = MemorySegment.ofArray(
                    new byte[EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + icmpLength]);
            long at = EthernetFrame.writeHeader(reply, 0, eth.source(), mac.bits(), EtherType.IPV4);
            at = Ipv4Packet.writeHeader(reply, at, 0, Ipv4Packet.MIN_HEADER_LENGTH + icmpLength,
                    ipv4.identification(), 0, 0, 64, IpProtocol.ICMP, ip, ipv4.sourceAddress());
            MemorySegment.copy(frame, icmp.payloadOffset(), reply, at + Icmpv4Packet.HEADER_LENGTH, payload);
            Icmpv4Packet.write(reply, at, IcmpType.ECHO_REPLY, 0, icmp.restOfHeader(), payload);
            link.send(reply);
            echoRequestsAnswered.incrementAndGet();
        } else if (icmp.type() == IcmpType.ECHO_REPLY && icmp.echoIdentifier() == echoId) {
            echoReplies.add(icmp.echoSequence());
        } else {
            ignored.incrementAndGet();
        }
    }

    private void sendArpRequest(int target) throws IOException {
        MemorySegment request = MemorySegment.ofArray(new byte[EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH]);
        long at = EthernetFrame.writeHeader(request, 0, MacAddress.BROADCAST.bits(), mac.bits(), EtherType.ARP);
        ArpPacket.write(request, at, ArpPacket.OP_REQUEST, mac.bits(), ip, 0L, target);
        link.send(request);
    }

    private void sendEchoRequest(long targetMac, int target, int seq) throws IOException {
        int icmpLength = Icmpv4Packet.HEADER_LENGTH + ECHO_PAYLOAD;
        MemorySegment request = MemorySegment.ofArray(
                new byte[EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + icmpLength]);
        long at = EthernetFrame.writeHeader(request, 0, targetMac, mac.bits(), EtherType.IPV4);
        at = Ipv4Packet.writeHeader(request, at, 0, Ipv4Packet.MIN_HEADER_LENGTH + icmpLength, seq,
                Ipv4Packet.FLAG_DF, 0, 64, IpProtocol.ICMP, ip, target);
        for (int i = 0; i < ECHO_PAYLOAD; i++) {
            request.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at + Icmpv4Packet.HEADER_LENGTH + i, (byte) i);
        }
        Icmpv4Packet.write(request, at, IcmpType.ECHO_REQUEST, 0, Icmpv4Packet.echoRest(echoId, seq), ECHO_PAYLOAD);
        link.send(request);
    }
}
