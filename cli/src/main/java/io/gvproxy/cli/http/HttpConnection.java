package io.gvproxy.cli.http;

import io.gvproxy.cli.LogrusLogger;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.nio.channels.ByteChannel;
import java.util.List;

/**
 * One client connection: requests in order, each answered before the next is read (keep-alive for HTTP/1.1 unless
 * the client says close; HTTP/1.0 only with {@code Connection: keep-alive}), until the client leaves, a limit is
 * hit, or a handler takes the connection over. Runs on its own virtual thread.
 */
final class HttpConnection implements Runnable {
    private static final long NO_DEADLINE = 0;
    /** Go's rstAvoidanceDelay. */
    private static final Duration LINGER = Duration.ofMillis(500);
    private static final long LINGER_MAX_BYTES = 4L * 1024 * 1024;

    private final HttpServer server;
    private final ByteChannel channel;
    private final String peer;
    private final Router router;
    private final HttpLimits limits;
    private final LogrusLogger log;
    /** System.nanoTime() after which the watchdog closes the channel; {@link #NO_DEADLINE} when hijacked. */
    private volatile long deadline;
    private boolean hijacked;

    HttpConnection(HttpServer server, ByteChannel channel, String peer, Router router, HttpLimits limits,
            LogrusLogger log) {
        this.server = server;
        this.channel = channel;
        this.peer = peer;
        this.router = router;
        this.limits = limits;
        this.log = log;
        this.deadline = System.nanoTime() + limits.readTimeout().toNanos();
    }

    @Override
    public void run() {
        ConnectionInput in = new ConnectionInput(channel, limits.maxHeadBytes());
        try {
            while (serveOne(in)) {
                continue;
            }
            if (!hijacked) {
                lingeringClose();
            }
        } catch (IOException e) {
            if (server.isOpen() && channel.isOpen()) {
                log.debug(server.name() + ": connection " + peer + ": " + e);
            }
        } finally {
            closeChannel();
            server.removed(this);
        }
    }

    /** Reads and answers one request; false when the connection must end. */
    private boolean serveOne(ConnectionInput in) throws IOException {
        // Like Go: an idle keep-alive connection gets one read timeout, and a request gets a fresh one from its
        // first byte to the end of its body.
        deadline = System.nanoTime() + limits.readTimeout().toNanos();
        RequestHead head;
        RequestBody body;
        boolean expectContinue;
        try {
            String raw = in.readHead(() -> deadline = System.nanoTime() + limits.readTimeout().toNanos());
            if (raw == null) {
                return false;
            }
            head = RequestHead.parse(raw);
            body = RequestBody.of(head, limits.maxBodyBytes());
            expectContinue = expectsContinue(head);
        } catch (BadRequestException e) {
            reject(e);
            return false;
        }
        boolean close = head.minorVersion() == 0 ? !head.hasToken("connection", "keep-alive")
                : head.hasToken("connection", "close");
        boolean isHead = head.method().equals("HEAD");
        Router.Route route = router.find(head.path());
        boolean allowed = route != null && route.allows(head.method());
        byte[] bytes = RequestBody.NONE;
        if (allowed && route.readsBody()) {
            try {
                if (expectContinue && head.minorVersion() >= 1 && !body.isEmpty()) {
                    ResponseWriter.writeContinue(channel);
                }
                bytes = body.read(in, limits.maxBodyBytes());
            } catch (BadRequestException e) {
                reject(e);
                return false;
            }
        } else {
            // Unread body bytes would be parsed as the next request.
            close |= !body.isEmpty();
        }
        // Go's write timeout runs from the end of the request, so the handler's time counts against it.
        deadline = System.nanoTime() + limits.writeTimeout().toNanos();
        HttpResponse response;
        if (route == null) {
            response = HttpResponse.notFound();
        } else if (!allowed) {
            response = HttpResponse.methodNotAllowed(Router.allowHeader(route));
        } else {
            HttpRequest request = new HttpRequest(head.method(), head.target(), head.path(), head.rawQuery(),
                    head.minorVersion(), head.headers(), bytes, peer);
            try {
                response = route.handler().handle(request);
            } catch (IOException | RuntimeException e) {
                log.error(server.name() + ": " + head.method() + " " + head.path() + " failed: " + e);
                response = HttpResponse.error(HttpStatus.INTERNAL_SERVER_ERROR,
                        HttpStatus.text(HttpStatus.INTERNAL_SERVER_ERROR));
                close = true;
            }
            if (response.isHijack()) {
                hijack(in, response.hijacker());
                return false;
            }
        }
        ResponseWriter.write(channel, response, head.minorVersion(), isHead, close);
        return !close;
    }

    /** Go answers 417 to any Expect other than 100-continue. */
    private static boolean expectsContinue(RequestHead head) throws BadRequestException {
        List<String> expect = head.all("expect");
        if (expect.isEmpty()) {
            return false;
        }
        if (expect.size() == 1 && expect.getFirst().equalsIgnoreCase("100-continue")) {
            return true;
        }
        throw BadRequestException.plain(HttpStatus.EXPECTATION_FAILED);
    }

    private void reject(BadRequestException e) throws IOException {
        log.debug(server.name() + ": rejected request from " + peer + ": " + e.publicText());
        deadline = System.nanoTime() + limits.writeTimeout().toNanos();
        ResponseWriter.writeRejection(channel, e);
    }

    /**
     * Closing a socket with unread input makes the kernel send a reset, which can destroy the response the client
     * has not read yet (a 431 or 413 sent before the client finished writing). Like Go's closeWriteAndWait, end our
     * side first and discard what the client still sends, for a bounded time and amount.
     */
    private void lingeringClose() {
        if (!(channel instanceof SocketChannel sc) || !sc.isOpen()) {
            return;
        }
        deadline = System.nanoTime() + LINGER.toNanos();
        try {
            sc.shutdownOutput();
            ByteBuffer sink = ByteBuffer.allocate(8192);
            long discarded = 0;
            while (discarded < LINGER_MAX_BYTES && System.nanoTime() - deadline < 0) {
                int n = sc.read(sink.clear());
                if (n < 0) {
                    return;
                }
                discarded += n;
            }
        } catch (IOException e) {
            // The client went away or the watchdog ended the wait: either way we are done.
        }
    }

    private void hijack(ConnectionInput in, RawConnectionHandler handler) {
        // Go clears the connection deadlines on hijack: a VM link may stay quiet for hours.
        hijacked = true;
        deadline = NO_DEADLINE;
        try {
            handler.serve(new HijackedChannel(channel, in.takeBuffered()));
        } catch (IOException | RuntimeException e) {
            if (server.isOpen()) {
                log.error(server.name() + ": connection " + peer + " after hijack: " + e);
            }
        }
    }

    /** Called by the watchdog: true (and the channel closed) if this connection's deadline has passed. */
    boolean closeIfExpired(long now) {
        long d = deadline;
        if (d != NO_DEADLINE && now - d > 0) {
            log.debug(server.name() + ": closing connection " + peer + ": timeout");
            closeChannel();
            return true;
        }
        return false;
    }

    void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // The peer is gone either way.
        }
    }
}
