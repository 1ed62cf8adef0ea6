package io.gvproxy.cli;

import io.gvproxy.cli.http.HttpLimits;
import io.gvproxy.cli.http.HttpServer;
import io.gvproxy.cli.http.Router;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** The HTTP API servers of one gvproxy ({@code -listen} endpoints and {@code -services}), each on its own socket. */
final class ApiListeners implements AutoCloseable {
    record Endpoint(String kind, ListenUrl url, SocketAddress address, HttpServer server) {
    }

    private final LogrusLogger log;
    private final List<Endpoint> endpoints = new ArrayList<>();

    ApiListeners(LogrusLogger log) {
        this.log = log;
    }

    /** Binds {@code url} (a unix socket file gets mode 0600) and starts serving {@code router} on it. */
    void listen(String kind, ListenUrl url, Router router) throws StartupException {
        OpenedAcceptor opened = OpenedAcceptor.bind(url, true, log);
        HttpServer server = new HttpServer(kind, opened.acceptor(), router, HttpLimits.DEFAULT, log);
        endpoints.add(new Endpoint(kind, url, opened.address(), server));
        server.start();
        log.info("listening " + url);
    }

    List<SocketAddress> addresses(String kind) {
        return endpoints.stream().filter(e -> e.kind().equals(kind)).map(Endpoint::address).toList();
    }

    /** Closes every server, its connections (including /connect links) and removes the socket files. */
    @Override
    public void close() {
        endpoints.forEach(e -> e.server().close());
    }
}
