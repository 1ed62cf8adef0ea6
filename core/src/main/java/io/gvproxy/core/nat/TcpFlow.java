package io.gvproxy.core.nat;

import io.gvproxy.core.tcpip.TcpStream;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One guest connection joined to its host socket without a thread of its own: the relay runs on whichever thread
 * learnt that bytes can move. Guest bytes are written to the host socket (non-blocking) by the switch reader that
 * delivered them; host bytes are queued to the guest by the {@link NatPoller} thread that saw them arrive. Only
 * when a side cannot take more does the relay stop, keeping the rest in a lent buffer: a full host socket arms
 * the poller for writability, a full guest send buffer waits for the guest's ACKs (the stream's event). Either
 * way no thread blocks and no read happens from the other side meanwhile, so the back-pressure is the same as a
 * blocking relay's: the guest's window closes, or the host's socket buffer fills.
 *
 * <p>The end of one direction (a FIN, or EOF on the host) is passed on as a half-close and the other goes on;
 * when both have ended the flow closes. An error either way resets both sides.
 *
 * <p>Threads: {@link #pump} may be called from any thread at any time; one caller at a time runs it, and a call
 * that arrives meanwhile makes the running one go round once more, so no event is lost.
 */
final class TcpFlow implements NatPoller.Watcher {
    private final TcpNat nat;
    private final TcpStream guest;
    private final SocketChannel host;
    private final NatPoller poller;
    private final RelayBuffers buffers;
    private final AtomicInteger pumpRequests = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile SelectionKey key;
    /** The poller saw the host socket readable since the relay last found it empty. */
    private volatile boolean hostReadable = true;
    /** The poller cleared the key's interest (see {@link #ready}); the pump sets it again. */
    private volatile boolean watchSuspended;

    // Owned by the thread running the pump.
    private RelayBuffers.Lease toHost;
    private RelayBuffers.Lease toGuest;
    private boolean guestEof;
    private boolean hostEof;
    private boolean toHostDone;
    private boolean toGuestDone;
    private int interest = SelectionKey.OP_READ;
    private int lastRead;
    private final Source fromGuest;
    private final Source fromHost;

    TcpFlow(TcpNat nat, TcpStream guest, SocketChannel host, NatPoller poller, RelayBuffers buffers) {
        this.nat = nat;
        this.guest = guest;
        this.host = host;
        this.poller = poller;
        this.buffers = buffers;
        this.fromGuest = guest::readNow;
        this.fromHost = host::read;
    }

    /** Starts relaying: bytes the guest sent already, and all that follow either way. */
    void start() {
        if (ended.get()) {
            return;
        }
        try {
            host.configureBlocking(false);
            guest.onEvent(this::pump);
            key = poller.watch(host, SelectionKey.OP_READ, this);
        } catch (IOException | RuntimeException e) {
            abort();
            return;
        }
        pump();
    }

    /**
     * The poller saw {@code readyOps} on the host socket. If another thread is running the pump, the readiness
     * (level-triggered) would be reported again and again until that thread gets to it: the watch is suspended
     * (on this thread, so without a wake-up) and the pump, which goes round once more, re-arms it.
     */
    @Override
    public void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            hostReadable = true;
        }
        if (pumpRequests.get() != 0) {
            key.interestOps(0);
            watchSuspended = true;
        }
        pump();
    }

    void pump() {
        if (pumpRequests.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            if (key != null) {
                if (!ended.get()) {
                    try {
                        guestToHost();
                        hostToGuest();
                        if (toHostDone && toGuestDone) {
                            finish();
                        } else {
                            watchHost();
                        }
                    } catch (IOException | RuntimeException e) {
                        abort();
                    }
                }
                if (ended.get()) {
                    releaseBuffers();
                }
            }
            missed = pumpRequests.addAndGet(-missed);
        } while (missed != 0);
    }

    private void guestToHost() throws IOException {
        while (!toHostDone) {
            if (toHost != null) {
                ByteBuffer bb = toHost.bytes;
                host.write(bb);
                if (bb.hasRemaining()) {
                    return;
                }
                nat.bytesToHost.add(bb.limit());
                buffers.release(toHost);
                toHost = null;
            }
            if (guestEof) {
                host.shutdownOutput();
                toHostDone = true;
                return;
            }
            toHost = take(fromGuest);
            if (toHost == null) {
                if (lastRead == 0) {
                    return;
                }
                guestEof = true;
            }
        }
    }

    private void hostToGuest() throws IOException {
        while (!toGuestDone) {
            if (toGuest != null) {
                ByteBuffer bb = toGuest.bytes;
                guest.writeNow(bb);
                if (bb.hasRemaining()) {
                    return;
                }
                nat.bytesToGuest.add(bb.limit());
                buffers.release(toGuest);
                toGuest = null;
            }
            if (hostEof) {
                guest.shutdownOutput();
                toGuestDone = true;
                return;
            }
            if (!hostReadable) {
                return;
            }
            // cleared before the read: readiness the poller reports from here on makes the pump look again
            hostReadable = false;
            toGuest = take(fromHost);
            if (toGuest == null) {
                if (lastRead == 0) {
                    return;
                }
                hostEof = true;
            }
            hostReadable = true;
        }
    }

    /** One side of the flow, read without waiting. */
    private interface Source {
        int read(ByteBuffer into) throws IOException;
    }

    /**
     * What {@code from} has now, in a lent buffer ready to be written; null when nothing came, with
     * {@link #lastRead} telling 0 (nothing yet) from -1 (end of stream).
     */
    private RelayBuffers.Lease take(Source from) throws IOException {
        RelayBuffers.Lease l = buffers.acquire();
        try {
            lastRead = from.read(l.bytes);
        } catch (IOException | RuntimeException e) {
            buffers.release(l);
            throw e;
        }
        if (lastRead <= 0) {
            buffers.release(l);
            return null;
        }
        l.bytes.flip();
        return l;
    }

    /**
     * Readability is watched while the guest can take more, writability while guest bytes wait for the host.
     * Only added interest needs the poller woken; a removed one at worst reports once more, which the pump ignores.
     */
    private void watchHost() {
        if (watchSuspended) {
            watchSuspended = false;
            interest = 0;
        }
        int want = (toGuestDone || toGuest != null ? 0 : SelectionKey.OP_READ)
                | (toHost != null ? SelectionKey.OP_WRITE : 0);
        if (want != interest) {
            boolean added = (want & ~interest) != 0;
            interest = want;
            key.interestOps(want);
            if (added && !poller.onPollerThread()) {
                poller.wakeup();
            }
        }
    }

    /** Both directions ended in order: closes both sides. */
    private void finish() {
        if (ended.compareAndSet(false, true)) {
            guest.close();
            closeHost(false);
            nat.ended(this);
        }
    }

    /**
     * A registered channel is really closed by the poller at its next selection. After an orderly end (our FIN is
     * out already) that may wait for the poller's next wake-up; a reset must leave now.
     */
    private void closeHost(boolean now) {
        TcpNat.closeQuietly(host);
        if (now && !poller.onPollerThread()) {
            poller.wakeup();
        }
    }

    private void releaseBuffers() {
        if (toHost != null) {
            buffers.release(toHost);
            toHost = null;
        }
        if (toGuest != null) {
            buffers.release(toGuest);
            toGuest = null;
        }
    }

    /** Resets both sides: the guest with a RST, the host by closing with a zero linger. Any thread. */
    void abort() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        guest.abort();
        try {
            host.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            // already closed: nothing to reset
        }
        closeHost(true);
        nat.ended(this);
        // the buffers are the pump's: it frees them on its next round, which this call makes happen
        pump();
    }
}
