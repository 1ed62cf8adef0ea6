package io.gvproxy.it;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.link.StreamFraming;
import io.gvproxy.core.link.StreamLink;
import io.gvproxy.core.link.VpnkitHandshake;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.ffm.TapDevice;
import io.gvproxy.ffm.TapLink;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The child process behind {@link NetnsGuest}, run inside the namespace by {@code ip netns exec}: a tap
 * device opened there (TapDevice works in the calling thread's namespace, and here the whole process is in
 * it) pumped to gvproxy over a unix stream socket, one platform thread per direction.
 *
 * <p>Arguments: {@code vpnkit SOCKET UUID IFNAME} (VPNKit handshake, then HyperKit framing; the tap gets
 * the MAC gvproxy hands out) or {@code qemu SOCKET MAC IFNAME} (QEMU framing, the tap gets MAC). Prints
 * {@code TAPPUMP READY IFNAME MAC MTU} once the tap is up and connected, {@code TAPPUMP DONE ...} at the
 * end. Exits when either side ends or when stdin reaches EOF, so a dead parent never leaves it behind.
 */
public final class TapPump {
    static final String READY = "TAPPUMP READY";

    private TapPump() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[0].equals("vpnkit") || args[0].equals("qemu"))) {
            System.err.println("usage: TapPump vpnkit SOCKET UUID IFNAME | qemu SOCKET MAC IFNAME");
            System.exit(2);
        }
        boolean vpnkit = args[0].equals("vpnkit");
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(Path.of(args[1])));
        MacAddress mac;
        int mtu = 1500;
        if (vpnkit) {
            VpnkitHandshake.Response response = VpnkitHandshake.connect(socket, args[2]);
            mac = response.mac();
            mtu = response.mtu();
        } else {
            mac = MacAddress.parse(args[2]);
        }
        Counters counters = new Counters();
        TapDevice tap = TapDevice.open(args[3]);
        tap.setMac(mac);
        tap.setMtu(mtu);
        tap.setUp(true);
        TapLink tapLink = new TapLink(tap, counters, "tap");
        StreamLink streamLink = StreamLink.of("gvproxy", socket,
                vpnkit ? StreamFraming.HYPERKIT : StreamFraming.QEMU, counters);
        System.out.println(READY + " " + tap.name() + " " + mac + " " + mtu);
        System.out.flush();

        CountDownLatch ended = new CountDownLatch(1);
        FramePool pool = FramePool.forMtu(Math.max(mtu, 1500));
        Thread up = Thread.ofPlatform().name("tap-to-gvproxy")
                .start(() -> pump(tapLink, streamLink, pool, ended));
        Thread down = Thread.ofPlatform().name("gvproxy-to-tap")
                .start(() -> pump(streamLink, tapLink, pool, ended));
        Thread.ofPlatform().daemon().name("stdin-watch").start(() -> awaitEof(System.in, ended));
        ended.await();
        streamLink.close();
        tapLink.close();
        up.join(5_000);
        down.join(5_000);
        System.out.println("TAPPUMP DONE " + counters.snapshot());
        System.out.flush();
        System.exit(0);
    }

    private static void pump(Link from, Link to, FramePool pool, CountDownLatch ended) {
        Frame frame = pool.acquire();
        try {
            while (from.receive(frame)) {
                to.send(frame.data());
            }
            System.out.println("TAPPUMP EOF " + from.name());
        } catch (IOException | RuntimeException e) {
            System.out.println("TAPPUMP ERROR " + from.name() + " -> " + to.name() + ": " + e);
        } finally {
            frame.release();
            ended.countDown();
        }
    }

    private static void awaitEof(InputStream in, CountDownLatch ended) {
        try {
            while (in.read() >= 0) {
                // The parent never writes; anything it does write is ignored.
            }
        } catch (IOException e) {
            // A broken stdin means the parent is gone, same as EOF.
        }
        ended.countDown();
    }
}
