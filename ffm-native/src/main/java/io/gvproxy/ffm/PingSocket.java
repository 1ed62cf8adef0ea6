package io.gvproxy.ffm;

import io.gvproxy.core.nat.EchoDeniedException;
import io.gvproxy.core.nat.EchoMessage;
import io.gvproxy.core.nat.EchoSocket;
import io.gvproxy.core.wire.Checksum;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An unprivileged ICMP echo socket: {@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}. Linux allows it to the
 * groups in {@code net.ipv4.ping_group_range}; macOS to everyone. The kernel sends our echo header with the
 * socket's own identifier in place of ours and delivers only replies carrying it; replies and quoted requests
 * are handed back with the caller's identifier (and the quote's checksum adjusted to match).
 *
 * <p>On Linux, IP_RECVERR queues the ICMP errors our requests cause (unreachable, time exceeded, with the
 * reporting address) and they are read with {@code recvmsg(MSG_ERRQUEUE)}. macOS has no error queue, so there
 * only replies are received.
 *
 * <p>{@link #receive} polls and belongs on a platform thread; {@link #send} never waits (MSG_DONTWAIT) and is
 * serialised. A shutdown does not wake a poll on an unconnected ping socket (measured on Linux 6.18), so on
 * Linux the poll also watches an eventfd that {@link #close} signals; elsewhere receive polls in slices of
 * {@link #WAKE_SLICE_MILLIS} and a close is seen within one.
 */
public final class PingSocket implements EchoSocket {
    static final int WAKE_SLICE_MILLIS = 500;
    private static final int ICMP_HEADER = 8;
    private static final int ECHO_REQUEST = 8;
    private static final int ECHO_REPLY = 0;
    /** Room for any IPv4 datagram. */
    private static final int BUFFER = 65536;
    private static final int CONTROL = 512;
    private static final ValueLayout.OfShort BE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final Path PING_GROUP_RANGE = Path.of("/proc/sys/net/ipv4/ping_group_range");

    private final FdHandle handle;
    private final Waker waker;
    private final Platform platform;
    private final OsConstants k;
    private final PingSocketAbi abi;
    private final Object sendLock = new Object();
    // sender's (under sendLock)
    private final MemorySegment txBuf;
    private final MemorySegment txAddr;
    private int ttl = -1;
    // receiver's (one receiving thread)
    private final MemorySegment rxBuf;
    private final MemorySegment rxAddr;
    private final MemorySegment rxAddrLen;
    private final MemorySegment msg;
    private final MemorySegment iov;
    private final MemorySegment control;
    private final MemorySegment pollFd;
    private volatile int identifier;

    private PingSocket(int fd, Waker waker, Platform platform) {
        this.waker = waker;
        this.handle = new FdHandle(fd, waker == null ? () -> { } : waker::close);
        this.platform = platform;
        this.k = platform.constants();
        this.abi = PingSocketAbi.of(platform.os());
        Arena arena = Arena.ofAuto();
        this.txBuf = arena.allocate(BUFFER);
        this.txAddr = arena.allocate(abi.sockaddrIn());
        this.rxBuf = arena.allocate(BUFFER);
        this.rxAddr = arena.allocate(abi.sockaddrIn());
        this.rxAddrLen = arena.allocate(ValueLayout.JAVA_INT);
        this.msg = arena.allocate(abi.msghdr());
        this.iov = arena.allocate(IoVec.LAYOUT);
        this.control = arena.allocate(CONTROL, 8);
        this.pollFd = arena.allocate(PollFd.LAYOUT, 2);
    }

    /**
     * Opens a ping socket (with IP_RECVERR on Linux).
     *
     * @throws EchoDeniedException when the system refuses (EACCES or EPERM), with a message naming the cause
     * @throws NativeException     on any other failure
     */
    public static PingSocket open() throws IOException {
        Platform p = Platform.current();
        OsConstants k = p.constants();
        PingSocketAbi abi = PingSocketAbi.of(p.os());
        int fd = LibC.socketRaw(k.afInet(), k.sockDgram() | abi.sockCloexecOrZero(), PingSocketAbi.IPPROTO_ICMP);
        if (fd == -PingSocketAbi.EACCES || fd == -PingSocketAbi.EPERM) {
            throw new EchoDeniedException(deniedMessage(p.os(), -fd, PingSocketAbi.gid(), readPingGroupRange()));
        }
        LibC.check("socket", fd);
        Waker waker = null;
        try {
            if (abi.sockCloexecOrZero() == 0) {
                LibC.setCloexec(fd);
            }
            if (p.os() == Os.LINUX) {
                LibC.setsockoptInt(fd, PingSocketAbi.IPPROTO_IP, PingSocketAbi.IP_RECVERR, 1);
                waker = new Waker();
            }
        } catch (NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
        return new PingSocket(fd, waker, p);
    }

    /** What an operator reads in the log when pings cannot be forwarded, and how to change it. */
    static String deniedMessage(Os os, int errno, long gid, String range) {
        String call = "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) failed: " + LibC.strerror(errno) + " (errno " + errno
                + ")";
        if (os != Os.LINUX) {
            return "ICMP echo forwarding is off: " + call + "; guests' pings to other hosts get no reply";
        }
        return "ICMP echo forwarding is off: " + call + ": group " + (gid < 0 ? "?" : Long.toString(gid))
                + " is outside net.ipv4.ping_group_range" + (range.isEmpty() ? "" : " (\"" + range + "\")")
                + "; allow it with sysctl -w net.ipv4.ping_group_range=\"" + (gid < 0 ? 0 : gid) + " " + (gid < 0 ? 0 : gid)
                + "\" (or a range holding it); guests' pings to other hosts get no reply until then";
    }

    /** The sysctl's current value with its tab as a space, or "" where it cannot be read. */
    static String readPingGroupRange() {
        try {
            // Files.readString trusts procfs's size of 0 and returns a fragment; a stream reads to the end
            try (InputStream in = Files.newInputStream(PING_GROUP_RANGE)) {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().replaceAll("\\s+", " ");
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public void send(int destination, int identifier, int sequence, int ttl, MemorySegment data) throws IOException {
        int length = ICMP_HEADER + (int) data.byteSize();
        if (length > BUFFER) {
            throw LibC.error("sendto", k.emsgsize());
        }
        int fd = handle.enter();
        try {
            synchronized (sendLock) {
                this.identifier = identifier & 0xFFFF;
                if (ttl != this.ttl && ttl > 0 && ttl < 256) {
                    LibC.setsockoptInt(fd, PingSocketAbi.IPPROTO_IP, abi.ipTtl(), ttl);
                    this.ttl = ttl;
                }
                txBuf.set(ValueLayout.JAVA_BYTE, 0, (byte) ECHO_REQUEST);
                txBuf.set(ValueLayout.JAVA_BYTE, 1, (byte) 0);
                txBuf.set(BE_SHORT, 2, (short) 0);
                txBuf.set(BE_SHORT, 4, (short) identifier);
                txBuf.set(BE_SHORT, 6, (short) sequence);
                MemorySegment.copy(data, 0, txBuf, ICMP_HEADER, data.byteSize());
                // Linux recomputes it with its own identifier; macOS sends ours as written.
                txBuf.set(BE_SHORT, 2, (short) Checksum.checksum(txBuf, 0, length));
                int addrLen = abi.encodeSockaddrIn(txAddr, destination);
                LibC.check("sendto", LibC.sendtoRaw(fd, txBuf, length, k.msgDontwait() | k.msgNosignal(), txAddr,
                        addrLen));
            }
        } finally {
            handle.exit();
        }
    }

    @Override
    public boolean receive(EchoMessage into, long timeoutMillis) throws IOException {
        if (!handle.tryEnter()) {
            throw new ClosedChannelException();
        }
        try {
            int fd = handle.fd();
            long deadline = System.nanoTime() + Math.clamp(timeoutMillis, 0, Integer.MAX_VALUE) * 1_000_000L;
            for (;;) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                PollFd.set(pollFd, 0, fd, OsConstants.POLLIN);
                int ready;
                if (waker == null) {
                    ready = LibC.pollRaw(pollFd, 1, (int) Math.max(0, Math.min(left, WAKE_SLICE_MILLIS)));
                } else {
                    PollFd.set(pollFd, 1, waker.fd(), OsConstants.POLLIN);
                    ready = LibC.pollRaw(pollFd, 2, (int) Math.max(0, Math.min(left, Integer.MAX_VALUE)));
                }
                if (!handle.isOpen()) {
                    throw new AsynchronousCloseException();
                }
                LibC.check("poll", ready);
                if (ready == 0) {
                    if (waker != null || left <= WAKE_SLICE_MILLIS) {
                        return false;
                    }
                    continue;
                }
                int revents = PollFd.revents(pollFd, 0);
                if ((revents & OsConstants.POLLNVAL) != 0) {
                    throw new ClosedChannelException();
                }
                if ((revents & OsConstants.POLLERR) != 0) {
                    if (platform.os() == Os.LINUX && readError(fd, into)) {
                        return true;
                    }
                    // a pending error without a queued entry would keep poll returning at once: clear it
                    LibC.getsockoptIntRaw(fd, k.solSocket(), k.soError());
                }
                if ((revents & OsConstants.POLLIN) != 0 && readReply(fd, into)) {
                    return true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
            }
        } finally {
            handle.exit();
        }
    }

    /** One datagram off the receive queue; false when it was not an echo reply for us (or none was there). */
    private boolean readReply(int fd, EchoMessage into) throws IOException {
        rxAddrLen.set(ValueLayout.JAVA_INT, 0, (int) rxAddr.byteSize());
        long n = LibC.recvfromRaw(fd, rxBuf, BUFFER, k.msgDontwait(), rxAddr, rxAddrLen);
        if (n < 0) {
            // EAGAIN, or a pending socket error the error queue also holds: read on
            return false;
        }
        if (n == 0 && !handle.isOpen()) {
            throw new AsynchronousCloseException();
        }
        long at = 0;
        if (platform.os() == Os.MACOS && n > 0 && (Byte.toUnsignedInt(rxBuf.get(ValueLayout.JAVA_BYTE, 0)) >>> 4) == 4) {
            // macOS hands ICMP datagram sockets the IP header too
            at = (rxBuf.get(ValueLayout.JAVA_BYTE, 0) & 0xF) * 4L;
        }
        if (n - at < ICMP_HEADER || rxBuf.get(ValueLayout.JAVA_BYTE, at) != ECHO_REPLY) {
            return false;
        }
        if (platform.os() == Os.MACOS && Short.toUnsignedInt(rxBuf.get(BE_SHORT, at + 4)) != identifier) {
            // without a kernel-owned identifier every ICMP socket sees every reply
            return false;
        }
        long dataLength = n - at - ICMP_HEADER;
        if (dataLength > into.capacity()) {
            return false;
        }
        MemorySegment.copy(rxBuf, at + ICMP_HEADER, into.buffer(), 0, dataLength);
        int source = abi.decodeSockaddrIn(rxAddr, rxAddrLen.get(ValueLayout.JAVA_INT, 0));
        into.reply(source, identifier, Short.toUnsignedInt(rxBuf.get(BE_SHORT, at + 6)), (int) dataLength);
        return true;
    }

    /**
     * One entry off the error queue; true when it was an ICMP error about one of our requests. The datagram
     * read is our request as sent; its identifier is put back to the caller's.
     */
    private boolean readError(int fd, EchoMessage into) {
        IoVec.set(iov, 0, rxBuf, BUFFER);
        abi.fillMsghdr(msg, rxAddr, iov, control);
        long n = PingSocketAbi.recvmsgRaw(fd, msg, PingSocketAbi.MSG_ERRQUEUE | k.msgDontwait());
        if (n < 0) {
            return false;
        }
        long controlLength = Math.min(abi.controlLength(msg), control.byteSize());
        long headerSize = abi.cmsghdr().byteSize();
        for (long at = 0; at + headerSize <= controlLength; ) {
            long len = abi.cmsgLen(control, at);
            if (len < headerSize || at + len > controlLength) {
                return false;
            }
            int level = control.get(ValueLayout.JAVA_INT, at + abi.offset(abi.cmsghdr(), "cmsg_level"));
            int type = control.get(ValueLayout.JAVA_INT, at + abi.offset(abi.cmsghdr(), "cmsg_type"));
            long dataAt = at + abi.cmsgDataOffset();
            long eeSize = PingSocketAbi.SOCK_EXTENDED_ERR.byteSize();
            if (level == PingSocketAbi.IPPROTO_IP && type == PingSocketAbi.IP_RECVERR && len >= abi.cmsgDataOffset() + eeSize) {
                return icmpError(control.asSlice(dataAt, len - abi.cmsgDataOffset()), n, into);
            }
            at += abi.cmsgAlign(len);
        }
        return false;
    }

    private boolean icmpError(MemorySegment ee, long quoteLength, EchoMessage into) {
        int origin = Byte.toUnsignedInt(ee.get(ValueLayout.JAVA_BYTE, 4));
        if (origin != PingSocketAbi.SO_EE_ORIGIN_ICMP || quoteLength < ICMP_HEADER
                || rxBuf.get(ValueLayout.JAVA_BYTE, 0) != ECHO_REQUEST) {
            return false;
        }
        int type = Byte.toUnsignedInt(ee.get(ValueLayout.JAVA_BYTE, 5));
        int code = Byte.toUnsignedInt(ee.get(ValueLayout.JAVA_BYTE, 6));
        int info = ee.get(ValueLayout.JAVA_INT, 8);
        long eeSize = PingSocketAbi.SOCK_EXTENDED_ERR.byteSize();
        int offender = abi.decodeSockaddrIn(ee.asSlice(eeSize), ee.byteSize() - eeSize);
        int theirs = Short.toUnsignedInt(rxBuf.get(BE_SHORT, 4));
        int ours = identifier;
        int checksum = Short.toUnsignedInt(rxBuf.get(BE_SHORT, 2));
        rxBuf.set(BE_SHORT, 2, (short) Checksum.update(checksum, theirs, ours));
        rxBuf.set(BE_SHORT, 4, (short) ours);
        int length = (int) Math.min(quoteLength, into.capacity());
        MemorySegment.copy(rxBuf, 0, into.buffer(), 0, length);
        into.error(offender, type, code, info, length);
        return true;
    }

    /** The identifier the kernel gave this socket (its "port"); on macOS 0, where there is none. */
    int kernelIdentifier() throws IOException {
        int fd = handle.enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(abi.sockaddrIn());
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, (int) addr.byteSize());
            LibC.check("getsockname", LibC.getsocknameRaw(fd, addr, len));
            return Short.toUnsignedInt(addr.get(BE_SHORT, 2));
        } finally {
            handle.exit();
        }
    }

    /** Wakes a blocked {@link #receive} (which then throws) and releases the socket; idempotent. */
    @Override
    public void close() {
        handle.close(fd -> {
            LibC.shutdownRaw(fd, k.shutRdwr());
            if (waker != null) {
                waker.wake();
            }
        });
    }
}
