package io.gvproxy.core.dns;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * DNS over a byte stream (RFC 1035 §4.2.2, RFC 7766): two-byte length-prefixed messages in both directions.
 * Queries may be pipelined; forwarded answers are written as they arrive, so they may come out of order
 * (each carries its ID). Usable over a host TCP socket or the gateway's own TCP streams.
 */
public final class DnsStreamSession {
    private final DnsServer server;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean broken;
    private int pending;

    public DnsStreamSession(DnsServer server, InputStream in, OutputStream out) {
        this.server = server;
        this.in = in;
        this.out = out;
    }

    /**
     * Reads queries until end of stream, a read error or a write failure, then waits (bounded by the upstream
     * timeouts) for answers still being forwarded, since a client may half-close after its last query.
     * Blocks the calling thread.
     */
    public void run() {
        try {
            while (!broken) {
                byte[] len = in.readNBytes(2);
                if (len.length < 2) {
                    break;
                }
                int n = DnsWire.u16(len, 0);
                byte[] query = in.readNBytes(n);
                if (query.length < n) {
                    break;
                }
                synchronized (out) {
                    pending++;
                }
                if (!server.handle(query, DnsTransport.TCP, this::write)) {
                    synchronized (out) {
                        pending--;
                    }
                }
            }
        } catch (IOException e) {
            broken = true;
        }
        awaitPending();
    }

    private void awaitPending() {
        DnsConfig c = server.config();
        long waitNanos = c.upstreamTimeout().toNanos() * 2 * Math.max(1, c.nameservers().size()) + 1_000_000_000L;
        long deadline = System.nanoTime() + waitNanos;
        synchronized (out) {
            long left;
            while (pending > 0 && !broken && (left = deadline - System.nanoTime()) > 0) {
                try {
                    out.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void write(byte[] response) {
        byte[] framed = new byte[response.length + 2];
        DnsWire.put16(framed, 0, response.length);
        System.arraycopy(response, 0, framed, 2, response.length);
        synchronized (out) {
            pending--;
            out.notifyAll();
            if (broken) {
                return;
            }
            try {
                out.write(framed);
                out.flush();
            } catch (IOException e) {
                broken = true;
            }
        }
    }
}
