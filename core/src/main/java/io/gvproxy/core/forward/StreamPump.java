package io.gvproxy.core.forward;

import io.gvproxy.core.tcpip.TcpStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

/**
 * Copies bytes both ways between a host socket and a guest stream, one virtual thread per direction. An end of
 * stream on one side becomes a half-close on the other (the other direction goes on); an error on either side
 * resets the guest stream and closes the host socket.
 */
public final class StreamPump {
    private static final int CHUNK = 64 * 1024;

    private final ByteChannel host;
    private final TcpStream guest;
    private volatile boolean failed;

    private StreamPump(ByteChannel host, TcpStream guest) {
        this.host = host;
        this.guest = guest;
    }

    /**
     * Pumps until both directions end, then closes both sides; blocks the calling thread. The guest's FIN
     * half-closes {@code host} when it is a {@link SocketChannel} or a {@link HalfCloseableChannel}; otherwise the
     * host side is closed only when both directions have ended.
     */
    public static void run(ByteChannel host, TcpStream guest) {
        StreamPump p = new StreamPump(host, guest);
        Thread up = Thread.ofVirtual().name("fwd-host-to-guest").start(p::hostToGuest);
        p.guestToHost();
        try {
            up.join();
        } catch (InterruptedException e) {
            p.fail();
            Thread.currentThread().interrupt();
        }
        if (!p.failed) {
            guest.close();
        }
        closeQuietly(host);
    }

    private void hostToGuest() {
        byte[] buf = new byte[CHUNK];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        try {
            while (true) {
                bb.clear();
                int n = host.read(bb);
                if (n < 0) {
                    guest.shutdownOutput();
                    return;
                }
                guest.write(buf, 0, n);
            }
        } catch (IOException e) {
            fail();
        }
    }

    private void guestToHost() {
        byte[] buf = new byte[CHUNK];
        try {
            while (true) {
                int n = guest.read(buf, 0, buf.length);
                if (n < 0) {
                    if (host instanceof SocketChannel sc) {
                        sc.shutdownOutput();
                    } else if (host instanceof HalfCloseableChannel hc) {
                        hc.shutdownOutput();
                    }
                    return;
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    host.write(bb);
                }
            }
        } catch (IOException e) {
            fail();
        }
    }

    private void fail() {
        failed = true;
        guest.abort();
        closeQuietly(host);
    }

    private static void closeQuietly(ByteChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
