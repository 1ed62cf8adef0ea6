package io.gvproxy.ffm;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Path;

/**
 * A connected AF_UNIX SOCK_SEQPACKET socket carrying one Ethernet frame per message with no header: gvproxy's
 * {@code -listen-bess unixpacket://PATH} (UML's vector "bess" transport).
 *
 * <p>Messages larger than the receive frame are detected with MSG_TRUNC, counted as
 * {@code <prefix>.rx_truncated} and dropped; messages under 14 bytes are counted as {@code <prefix>.rx_runt}
 * and dropped; a frame the kernel refuses as too large (EMSGSIZE) is counted as {@code <prefix>.tx_too_large}
 * and dropped. A receive of 0 bytes is the peer's end of stream.
 *
 * <p>Threading: {@link #receive} and {@link #send} block in the kernel through FFM, which holds a virtual
 * thread's carrier; run them on platform threads (one reader, one writer). {@link #close} may be called
 * from any thread: it shuts the socket down, which wakes both, and the fd is closed when they have left.
 */
public final class SeqpacketLink implements Link {
    static final int MIN_FRAME = 14;

    private final FdHandle handle;
    private final String name;
    private final int msgTrunc;
    private final int msgNosignal;
    private final int emsgsize;
    private final NativeScratch scratch = new NativeScratch();
    private final Counter rxTruncated;
    private final Counter rxRunt;
    private final Counter txTooLarge;

    SeqpacketLink(int fd, String name, Counters counters, String counterPrefix) {
        Platform p = Platform.current();
        this.handle = new FdHandle(fd);
        this.name = name;
        this.msgTrunc = p.constants().msgTrunc();
        this.msgNosignal = p.constants().msgNosignal();
        this.emsgsize = p.constants().emsgsize();
        this.rxTruncated = counters.counter(counterPrefix + ".rx_truncated");
        this.rxRunt = counters.counter(counterPrefix + ".rx_runt");
        this.txTooLarge = counters.counter(counterPrefix + ".tx_too_large");
    }

    /** Connects to a SOCK_SEQPACKET listener at {@code path} (the VM side; also used by tests). Linux only. */
    public static SeqpacketLink connect(Path path, Counters counters, String counterPrefix) throws IOException {
        Platform p = Platform.requireLinux("unixpacket");
        int fd = UnixSockets.openConnected(p, p.constants().sockSeqpacket(), path);
        return new SeqpacketLink(fd, "unixpacket://" + path, counters, counterPrefix);
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
                long n = LibC.recvRaw(fd, buf, buf.byteSize(), msgTrunc);
                if (!handle.isOpen() || n == 0) {
                    return false;
                }
                LibC.check("recv", n);
                if (n > buf.byteSize()) {
                    rxTruncated.increment();
                } else if (n < MIN_FRAME) {
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

    @Override
    public void send(MemorySegment frame) throws IOException {
        int fd = handle.enter();
        try {
            MemorySegment src = scratch.nativeView(frame);
            long n = LibC.sendRaw(fd, src, src.byteSize(), msgNosignal);
            if (n >= 0) {
                return;
            }
            if (n == -emsgsize) {
                txTooLarge.increment();
                return;
            }
            if (!handle.isOpen()) {
                throw new AsynchronousCloseException();
            }
            throw LibC.error("send", (int) -n);
        } finally {
            handle.exit();
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Wakes a blocked receive (which returns false) and send; idempotent. */
    @Override
    public void close() {
        handle.close(UnixSockets::shutdown);
    }
}
