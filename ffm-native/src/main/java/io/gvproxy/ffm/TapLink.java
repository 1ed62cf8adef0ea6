package io.gvproxy.ffm;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;

/**
 * The frames of a {@link TapDevice}: each read returns one whole Ethernet frame, each write sends one.
 * A read of a frame longer than the buffer returns only the bytes copied, so frames are read with readv
 * into the frame buffer plus a one-byte spill: a byte in the spill means the frame did not fit, and it is
 * counted as {@code <prefix>.rx_truncated} and dropped; one under 14 bytes as {@code rx_runt}; a frame the kernel
 * refuses (EINVAL, EMSGSIZE, EIO, or EAGAIN when its queue is full) as {@code tx_dropped}.
 *
 * <p>On a device opened {@link TapDevice#openWithOffloads with offloads}, each read also fills
 * {@link #receivedHeader()} (what the frame still needs: a checksum to complete, a super-frame to cut; see
 * {@link SuperFrame}, {@link TcpSuperFrame}), and each write is preceded by a {@link VirtioNetHeader}: an empty one, or
 * for {@link #sendSegmented} the segmentation the guest's kernel is to record (it then takes the frame as one
 * large receive, as from GRO).
 *
 * <p>Threading: {@link #receive} reads without waiting and, when the queue is empty, waits in poll through FFM
 * (tap fd plus wake-up eventfd); it and {@link #tryReceive} belong on one platform reader thread; {@link #send} does not wait (the fd is non-blocking) and belongs on one writer
 * thread. {@link #close} from any thread wakes the reader (receive returns false) and closes the device.
 */
public final class TapLink implements Link {
    private final TapDevice device;
    private final FdHandle handle;
    private final int wakeFd;
    private final NativeScratch scratch = new NativeScratch();
    // Reader-owned.
    private final MemorySegment pollFds = Arena.ofAuto().allocate(PollFd.LAYOUT, 2);
    private final MemorySegment iov = Arena.ofAuto().allocate(IoVec.LAYOUT, 3);
    private final MemorySegment spill = Arena.ofAuto().allocate(1);
    private final int vnetHeaderSize;
    private final VirtioNetHeader rxHeader;
    // Writer-owned.
    private final VirtioNetHeader txHeader;
    private final MemorySegment txIov = Arena.ofAuto().allocate(IoVec.LAYOUT, 2);
    private final Counter rxTruncated;
    private final Counter rxRunt;
    private final Counter txDropped;

    /** Takes ownership of {@code device}. */
    public TapLink(TapDevice device, Counters counters, String counterPrefix) {
        this.device = device;
        this.handle = device.handle();
        this.wakeFd = device.waker().fd();
        this.rxTruncated = counters.counter(counterPrefix + ".rx_truncated");
        this.rxRunt = counters.counter(counterPrefix + ".rx_runt");
        this.txDropped = counters.counter(counterPrefix + ".tx_dropped");
        this.vnetHeaderSize = device.vnetHeaderSize();
        this.rxHeader = new VirtioNetHeader(Arena.ofAuto().allocate(VirtioNetHeader.SIZE, 8));
        this.txHeader = new VirtioNetHeader(Arena.ofAuto().allocate(VirtioNetHeader.SIZE, 8));
    }

    /**
     * The header of the frame the last {@link #receive}/{@link #tryReceive} returned (reader thread only); all zero
     * on a device without IFF_VNET_HDR.
     */
    public VirtioNetHeader receivedHeader() {
        return rxHeader;
    }

    public TapDevice device() {
        return device;
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        return receive(into, true);
    }

    /**
     * Like {@link #receive} but never waits: false when no frame is queued right now (or the link is closed).
     * A reader that got a frame from {@link #receive} drains the rest of a burst with this, so that it can
     * pass the burst on in one write.
     */
    public boolean tryReceive(Frame into) throws IOException {
        return receive(into, false);
    }

    private boolean receive(Frame into, boolean wait) throws IOException {
        if (!handle.tryEnter()) {
            return false;
        }
        try {
            OsConstants k = OsConstants.LINUX;
            int fd = handle.fd();
            MemorySegment buf = into.buffer();
            int parts = 0;
            if (vnetHeaderSize > 0) {
                IoVec.set(iov, parts++, rxHeader.segment(), vnetHeaderSize);
            }
            IoVec.set(iov, parts++, buf, buf.byteSize());
            IoVec.set(iov, parts++, spill, 1);
            for (;;) {
                // Read first and poll only when the queue is empty: under load a frame is usually waiting, and
                // the poll would double the syscalls per frame.
                long n = LibC.readvRaw(fd, iov, parts);
                if (n == -k.eagain()) {
                    if (!wait || !awaitReadable(fd)) {
                        return false;
                    }
                    continue;
                }
                if (!handle.isOpen()) {
                    return false;
                }
                LibC.check("read " + device.name(), n);
                n -= vnetHeaderSize;
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

    /** Waits until the tap is readable; false when the link was closed meanwhile. */
    private boolean awaitReadable(int fd) throws IOException {
        for (;;) {
            PollFd.set(pollFds, 0, fd, OsConstants.POLLIN);
            PollFd.set(pollFds, 1, wakeFd, OsConstants.POLLIN);
            int r = LibC.pollRaw(pollFds, 2, -1);
            if (!handle.isOpen()) {
                return false;
            }
            LibC.check("poll", r);
            int revents = PollFd.revents(pollFds, 0);
            if ((revents & OsConstants.POLLIN) != 0) {
                return true;
            }
            if ((revents & (OsConstants.POLLERR | OsConstants.POLLHUP | OsConstants.POLLNVAL)) != 0) {
                throw new IOException("tap " + device.name() + ": poll reported an error on the device");
            }
        }
    }

    @Override
    public void send(MemorySegment frame) throws IOException {
        if (vnetHeaderSize > 0) {
            txHeader.clear();
        }
        write(frame);
    }

    /**
     * Sends a TCP/IPv4 frame whose payload is larger than the guest's segments as one frame, telling the guest's
     * kernel that it stands for segments of {@code segmentSize} payload bytes behind {@code headersLength} bytes of
     * Ethernet, IPv4 and TCP headers, with the TCP header at {@code tcpOffset} and its checksum field holding the
     * pseudo-header sum only ({@link TcpSuperFrame#toPartialChecksum}): the guest takes such a frame as one large
     * receive with a checksum already accounted for, as from a virtio NIC with GRO. Without IFF_VNET_HDR, the same
     * as {@link #send} (and such a frame is then refused by the kernel as too long).
     */
    public void sendSegmented(MemorySegment frame, int tcpOffset, int headersLength, int segmentSize)
            throws IOException {
        if (vnetHeaderSize > 0) {
            txHeader.set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, headersLength, segmentSize,
                    tcpOffset, TcpSuperFrame.TCP_CHECKSUM_OFFSET);
        }
        write(frame);
    }

    private void write(MemorySegment frame) throws IOException {
        int fd = handle.enter();
        try {
            OsConstants k = OsConstants.LINUX;
            MemorySegment src = scratch.nativeView(frame);
            long n;
            if (vnetHeaderSize > 0) {
                IoVec.set(txIov, 0, txHeader.segment(), vnetHeaderSize);
                IoVec.set(txIov, 1, src, src.byteSize());
                n = LibC.writevRaw(fd, txIov, 2);
            } else {
                n = LibC.writeRaw(fd, src, src.byteSize());
            }
            if (n >= 0) {
                return;
            }
            int e = (int) -n;
            if (e == k.einval() || e == k.emsgsize() || e == k.eio() || e == k.eagain()) {
                txDropped.increment();
                return;
            }
            if (!handle.isOpen()) {
                throw new AsynchronousCloseException();
            }
            throw LibC.error("write " + device.name(), e);
        } finally {
            handle.exit();
        }
    }

    @Override
    public String name() {
        return "tap " + device.name();
    }

    @Override
    public void close() {
        device.close();
    }
}
