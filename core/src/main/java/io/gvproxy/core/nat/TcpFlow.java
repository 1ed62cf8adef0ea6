package io.gvproxy.core.nat;

import io.gvproxy.core.tcpip.TcpStream;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One guest connection joined to its host socket by two virtual threads, one per direction. The end of one
 * direction (a FIN) is passed on as a half-close and the other goes on; when both have ended the flow closes.
 * An error either way resets both sides. Back-pressure: each pump holds one buffer and blocks on its writer,
 * so a slow side stops the pump, which stops reading from the other side, whose window then closes.
 */
final class TcpFlow {
    private static final int BUFFER = 64 << 10;

    private final TcpNat nat;
    private final TcpStream guest;
    private final SocketChannel host;
    private final AtomicInteger directionsDone = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();

    TcpFlow(TcpNat nat, TcpStream guest, SocketChannel host) {
        this.nat = nat;
        this.guest = guest;
        this.host = host;
    }

    void start() {
        Thread.ofVirtual().name("nat-tcp-up").start(this::guestToHost);
        Thread.ofVirtual().name("nat-tcp-down").start(this::hostToGuest);
    }

    private void guestToHost() {
        // Native memory, so that the socket write does not copy into a temporary native buffer first; freed when
        // the direction ends rather than by the GC, so that connection churn does not pile up native memory.
        try (Arena arena = Arena.ofConfined()) {
            ByteBuffer bb = arena.allocate(BUFFER).asByteBuffer();
            while (true) {
                bb.clear();
                int n = guest.read(bb);
                if (n < 0) {
                    host.shutdownOutput();
                    break;
                }
                bb.flip();
                while (bb.hasRemaining()) {
                    host.write(bb);
                }
                nat.bytesToHost.add(n);
            }
        } catch (IOException | RuntimeException e) {
            abort();
            return;
        }
        directionDone();
    }

    private void hostToGuest() {
        try (Arena arena = Arena.ofConfined()) {
            ByteBuffer bb = arena.allocate(BUFFER).asByteBuffer();
            while (true) {
                bb.clear();
                int n = host.read(bb);
                if (n < 0) {
                    guest.shutdownOutput();
                    break;
                }
                bb.flip();
                guest.write(bb);
                nat.bytesToGuest.add(n);
            }
        } catch (IOException | RuntimeException e) {
            abort();
            return;
        }
        directionDone();
    }

    private void directionDone() {
        if (directionsDone.incrementAndGet() == 2 && ended.compareAndSet(false, true)) {
            guest.close();
            TcpNat.closeQuietly(host);
            nat.ended(this);
        }
    }

    /** Resets both sides: the guest with a RST, the host by closing with a zero linger. */
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
        TcpNat.closeQuietly(host);
        nat.ended(this);
    }
}
