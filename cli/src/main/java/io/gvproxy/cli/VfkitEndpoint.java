package io.gvproxy.cli;

import io.gvproxy.ffm.Platform;
import io.gvproxy.ffm.UnixDatagramLink;

import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * {@code -listen-vfkit unixgram://PATH}: one datagram socket serving one VM, whose address is learned from the
 * first datagram (a {@code VFKT} hello is consumed, anything else is the first frame). The wait for that datagram
 * blocks in a native call, so it runs on a platform thread; the link's reader and writer are then the switch's
 * platform threads. Datagrams have no end of stream: the link lives until shutdown, and if it fails before that
 * gvproxy exits with status 1, as upstream does.
 */
final class VfkitEndpoint implements AutoCloseable {
    private final ListenUrl url;
    private final UnixDatagramLink link;
    private final VmConnectionHandler handler;
    private final LogrusLogger log;
    private final BiConsumer<Integer, String> exit;
    private volatile boolean closed;
    private Thread thread;

    private VfkitEndpoint(ListenUrl url, UnixDatagramLink link, VmConnectionHandler handler, LogrusLogger log,
            BiConsumer<Integer, String> exit) {
        this.url = url;
        this.link = link;
        this.handler = handler;
        this.log = log;
        this.exit = exit;
    }

    /** Binds the socket file; {@code exit} is asked to stop gvproxy (status, reason) if the link fails. */
    static VfkitEndpoint bind(ListenUrl url, VmConnectionHandler handler, LogrusLogger log,
            BiConsumer<Integer, String> exit) throws StartupException {
        String prefix = "listen unixgram " + url.path() + ": ";
        UnixDatagramLink link;
        try {
            UnixSocketFileCheck.removeStale(url.path(), Platform.current().constants().sockDgram(), prefix, log);
            link = UnixDatagramLink.bind(url.path(), handler.counters(), "link.vfkit");
        } catch (IOException | UnsupportedOperationException e) {
            throw new StartupException(prefix + StartupException.reason(e));
        }
        try {
            UnixSocketFileCheck.makePrivate(url.path(), prefix);
        } catch (StartupException e) {
            link.close();
            throw e;
        }
        return new VfkitEndpoint(url, link, handler, log, exit);
    }

    void start() {
        log.info("listening vfkit on " + url);
        thread = Thread.ofPlatform().daemon().name("vfkit").start(this::serve);
    }

    private void serve() {
        try {
            String peer = link.awaitPeer();
            if (peer.isEmpty()) {
                log.warn("vfkit: first datagram came from an unbound socket; replies wait for a peer bound to a path");
                peer = "an unbound socket";
            }
            handler.vfkit(link, peer);
            if (!closed) {
                log.error("vfkit: link to " + peer + " ended");
                exit.accept(GvproxyMain.EXIT_FAILURE, "vfkit link ended");
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.error("vfkit: " + (e instanceof IOException io ? StartupException.reason(io) : e.toString()));
                exit.accept(GvproxyMain.EXIT_FAILURE, "vfkit link failed");
            }
        } finally {
            link.close();
        }
    }

    /** Wakes the link and removes the socket file. */
    @Override
    public void close() {
        closed = true;
        link.close();
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
