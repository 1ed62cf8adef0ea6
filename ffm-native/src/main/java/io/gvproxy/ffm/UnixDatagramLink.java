package io.gvproxy.ffm;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A bound AF_UNIX SOCK_DGRAM socket carrying one Ethernet frame per datagram: gvproxy's
 * {@code -listen-vfkit unixgram://PATH}. Linux and macOS.
 *
 * <p>The peer is learned from the sender address of received datagrams (the VM binds its own path): a first
 * datagram that is exactly {@code VFKT} is consumed, any other is delivered as a frame. Later datagrams from
 * any sender are delivered, as upstream does; the reply address changes when the current peer was found
 * gone (a send failed with ECONNREFUSED or ENOENT, so its VM exited) or when a sender announces itself with
 * {@code VFKT}. A sender that never bound has no address and cannot be answered.
 *
 * <p>An oversized datagram is detected with MSG_TRUNC on Linux; macOS documents MSG_TRUNC only as an
 * output flag of recvmsg, so there a longer datagram may arrive cut to the frame buffer (size frame buffers for the largest frame).
 *
 * <p>Sends use MSG_DONTWAIT: a full peer queue (EAGAIN, ENOBUFS on macOS) is waited out with a bounded
 * backoff, then the frame is dropped. Linux reports an unconnected datagram socket writable even while the
 * peer's queue is full, so on Linux the wait polls a second socket connected to the peer (poll on a connected
 * datagram socket waits for room in the peer's queue) after the link's own socket (room in our send buffer),
 * and retries as soon as both are ready. The link's own socket stays unconnected, unlike upstream's: Linux
 * refuses datagrams from any other sender to a connected one (EPERM) and drops its queue when it is
 * disconnected, so a VM restarted at a new address could not reach us. Where that waiter cannot be had
 * (another OS, or a peer connected to us, whose queue never makes us wait) the wait sleeps the remainder of
 * each step rather than spinning. Counters under
 * {@code <prefix>}: {@code rx_truncated}, {@code rx_runt}, {@code rx_unbound_sender},
 * {@code rx_foreign_sender}, {@code peer_relearned}, {@code tx_no_peer}, {@code tx_peer_gone},
 * {@code tx_too_large}, {@code tx_queue_full}.
 *
 * <p>Threading: {@link #awaitPeer} and {@link #receive} block through FFM and belong on one platform reader
 * thread; {@link #send} waits at most {@link #SEND_WAIT_MILLIS} and belongs on one platform writer thread.
 * {@link #close} from any thread wakes both (shutdown) and removes the socket file.
 */
public final class UnixDatagramLink implements Link {
    public static final int SNDBUF = 1 << 20;
    public static final int RCVBUF = 4 << 20;
    /** vfkit's optional first datagram. */
    public static final int VFKT = 0x5646_4b54;
    static final int SEND_ATTEMPTS = 6;
    /** Upper bound of the time one send may wait for the peer's queue: 1+2+4+8+16 ms. */
    public static final int SEND_WAIT_MILLIS = (1 << (SEND_ATTEMPTS - 1)) - 1;

    private static final ValueLayout.OfInt MAGIC = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    private final Path path;
    private final Platform platform;
    private final FdHandle handle;
    private final SockaddrUn un;
    private final OsConstants k;
    private final NativeScratch scratch = new NativeScratch();
    // Reader-owned: the sender address of the last datagram and awaitPeer's peek buffer; pollFd is the sender's.
    private final MemorySegment rxAddr;
    private final MemorySegment rxAddrLen;
    private final MemorySegment pollFd;
    private final MemorySegment head;
    private volatile DatagramPeer peer;
    // Sender-owned: the socket connected to waiterPeer that waitWritable polls, -1 if none could be had; closed
    // by the handle once no thread uses the link.
    private volatile int waiterFd = -1;
    private DatagramPeer waiterPeer;

    private final Counter rxTruncated;
    private final Counter rxRunt;
    private final Counter rxUnbound;
    private final Counter rxForeign;
    private final Counter relearned;
    private final Counter txNoPeer;
    private final Counter txPeerGone;
    private final Counter txTooLarge;
    private final Counter txQueueFull;

    private UnixDatagramLink(Path path, int fd, Platform p, Counters counters, String prefix) {
        this.path = path;
        this.platform = p;
        this.handle = new FdHandle(fd, this::closeWaiter);
        this.un = p.sockaddrUn();
        this.k = p.constants();
        Arena arena = Arena.ofAuto();
        this.rxAddr = arena.allocate(un.layout());
        this.rxAddrLen = arena.allocate(ValueLayout.JAVA_INT);
        this.pollFd = arena.allocate(PollFd.LAYOUT);
        this.head = arena.allocate(8);
        rxTruncated = counters.counter(prefix + ".rx_truncated");
        rxRunt = counters.counter(prefix + ".rx_runt");
        rxUnbound = counters.counter(prefix + ".rx_unbound_sender");
        rxForeign = counters.counter(prefix + ".rx_foreign_sender");
        relearned = counters.counter(prefix + ".peer_relearned");
        txNoPeer = counters.counter(prefix + ".tx_no_peer");
        txPeerGone = counters.counter(prefix + ".tx_peer_gone");
        txTooLarge = counters.counter(prefix + ".tx_too_large");
        txQueueFull = counters.counter(prefix + ".tx_queue_full");
    }

    /**
     * Binds {@code path} (which must not exist, like Go's ListenUnixgram) with SO_SNDBUF 1 MiB and SO_RCVBUF
     * 4 MiB; drops are counted under {@code counterPrefix} (e.g. {@code link.vfkit}).
     */
    public static UnixDatagramLink bind(Path path, Counters counters, String counterPrefix) throws IOException {
        Platform p = Platform.current();
        OsConstants k = p.constants();
        int fd = UnixSockets.open(p, k.sockDgram(), false);
        try {
            UnixSockets.bind(p, fd, path);
        } catch (NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
        try {
            LibC.setsockoptInt(fd, k.solSocket(), k.soSndbuf(), SNDBUF);
            LibC.setsockoptInt(fd, k.solSocket(), k.soRcvbuf(), RCVBUF);
        } catch (NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            LibC.unlinkRaw(path.toString());
            throw e;
        }
        return new UnixDatagramLink(path, fd, p, counters, counterPrefix);
    }

    /**
     * Blocks until a first datagram is queued and learns its sender (upstream's accept). A {@code VFKT}
     * datagram is consumed; any other stays queued for {@link #receive}. Call it on the reader thread.
     *
     * @return the learned peer's path, or "" when the sender had not bound an address
     */
    public String awaitPeer() throws IOException {
        int fd = handle.enter();
        try {
            rxAddrLen.set(ValueLayout.JAVA_INT, 0, (int) un.layout().byteSize());
            // Peek 8 bytes, not 4: where MSG_TRUNC is ignored on input (macOS) the result is min(length, 8),
            // so n == 4 still means a datagram of exactly four bytes.
            long n = LibC.recvfromRaw(fd, head, head.byteSize(), k.msgPeek() | k.msgTrunc(), rxAddr, rxAddrLen);
            if (!handle.isOpen()) {
                throw new AsynchronousCloseException();
            }
            LibC.check("recvfrom", n);
            boolean magic = n == 4 && head.get(MAGIC, 0) == VFKT;
            notePeer(rxAddrLen.get(ValueLayout.JAVA_INT, 0), magic);
            if (magic) {
                LibC.check("recv", LibC.recvRaw(fd, head, 4, 0));
            }
            DatagramPeer learned = peer;
            return learned == null ? "" : learned.path;
        } finally {
            handle.exit();
        }
    }

    /** The path of the current peer, "" before one is learned. */
    public String peerPath() {
        DatagramPeer p = peer;
        return p == null ? "" : p.path;
    }

    public Path path() {
        return path;
    }

    FdHandle handle() {
        return handle;
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        if (!handle.tryEnter()) {
            return false;
        }
        try {
            int fd = handle.fd();
            MemorySegment buf = into.buffer();
            for (;;) {
                rxAddrLen.set(ValueLayout.JAVA_INT, 0, (int) un.layout().byteSize());
                long n = LibC.recvfromRaw(fd, buf, buf.byteSize(), k.msgTrunc(), rxAddr, rxAddrLen);
                if (!handle.isOpen()) {
                    return false;
                }
                LibC.check("recvfrom", n);
                boolean magic = n == 4 && buf.get(MAGIC, 0) == VFKT;
                notePeer(rxAddrLen.get(ValueLayout.JAVA_INT, 0), magic);
                if (magic) {
                    continue;
                }
                if (n > buf.byteSize()) {
                    rxTruncated.increment();
                } else if (n < SeqpacketLink.MIN_FRAME) {
                    rxRunt.increment();
                } else {
                    into.setLength((int) n);
                    return true;
                }
            }
        } finally {
            handle.exit();
        }
    }

    /** Decides whether the sender in {@code rxAddr} becomes the peer. Reader thread only. */
    private void notePeer(int addrLen, boolean magic) {
        if (addrLen <= un.pathOffset()) {
            rxUnbound.increment();
            return;
        }
        DatagramPeer current = peer;
        if (current != null && current.matches(rxAddr, addrLen)) {
            current.gone = false;
            return;
        }
        if (current == null || current.gone || magic) {
            peer = new DatagramPeer(rxAddr, addrLen, un);
            if (current != null) {
                relearned.increment();
            }
            return;
        }
        rxForeign.increment();
    }

    @Override
    public void send(MemorySegment frame) throws IOException {
        int fd = handle.enter();
        try {
            DatagramPeer p = peer;
            if (p == null) {
                txNoPeer.increment();
                return;
            }
            if (p.gone) {
                txPeerGone.increment();
                return;
            }
            MemorySegment src = scratch.nativeView(frame);
            for (int attempt = 0; ; attempt++) {
                long n = LibC.sendtoRaw(fd, src, src.byteSize(), k.msgDontwait() | k.msgNosignal(), p.addr, p.addrLen);
                if (n >= 0) {
                    return;
                }
                int e = (int) -n;
                if (e == k.emsgsize()) {
                    txTooLarge.increment();
                    return;
                }
                if (e == k.econnrefused() || e == k.enoent()) {
                    p.gone = true;
                    txPeerGone.increment();
                    return;
                }
                if (!handle.isOpen()) {
                    throw new AsynchronousCloseException();
                }
                if (e == k.eagain() || e == k.enobufs()) {
                    if (attempt == SEND_ATTEMPTS - 1) {
                        txQueueFull.increment();
                        return;
                    }
                    waitWritable(fd, p, 1 << attempt);
                    continue;
                }
                throw LibC.error("sendto", e);
            }
        } finally {
            handle.exit();
        }
    }

    /**
     * Waits at most {@code millis} for room in our send buffer and in the peer's queue; without a waiter socket,
     * exactly {@code millis} (see the class comment).
     */
    private void waitWritable(int fd, DatagramPeer p, int millis) throws NativeException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        PollFd.set(pollFd, 0, fd, OsConstants.POLLOUT);
        LibC.check("poll", LibC.pollRaw(pollFd, 1, millis));
        int waiter = waiterFor(p);
        if (waiter >= 0) {
            // Rounded up, so that a peer that never reads costs the whole step, as without a waiter.
            int left = (int) Math.max(0, (end - System.nanoTime() + 999_999) / 1_000_000);
            PollFd.set(pollFd, 0, waiter, OsConstants.POLLOUT);
            LibC.check("poll", LibC.pollRaw(pollFd, 1, left));
            return;
        }
        long left;
        while ((left = end - System.nanoTime()) > 0 && handle.isOpen()) {
            LockSupport.parkNanos(left);
        }
    }

    /** The waiter socket for {@code p}, connected on first need; -1 where it cannot be had. Sender thread only. */
    private int waiterFor(DatagramPeer p) {
        if (p == waiterPeer) {
            return waiterFd;
        }
        closeWaiter();
        waiterPeer = p;
        if (platform.os() != Os.LINUX) {
            return -1;
        }
        int w;
        try {
            w = UnixSockets.open(platform, k.sockDgram(), true);
        } catch (NativeException e) {
            return -1;
        }
        // Fails with EPERM when the peer is connected to us: then its queue never holds our sends back.
        if (LibC.connectRaw(w, p.addr, p.addrLen) < 0) {
            LibC.closeQuietly(w);
            return -1;
        }
        waiterFd = w;
        return w;
    }

    private void closeWaiter() {
        int w = waiterFd;
        waiterFd = -1;
        if (w >= 0) {
            LibC.closeQuietly(w);
        }
    }

    /** Whether sends wait on a socket connected to the current peer (see the class comment). */
    boolean waitsOnPeerQueue() {
        return waiterFd >= 0;
    }

    @Override
    public String name() {
        return "unixgram://" + path;
    }

    /** Wakes the reader (receive returns false) and removes the socket file; idempotent. */
    @Override
    public void close() {
        if (handle.close(UnixSockets::shutdown)) {
            LibC.unlinkRaw(path.toString());
        }
    }
}
