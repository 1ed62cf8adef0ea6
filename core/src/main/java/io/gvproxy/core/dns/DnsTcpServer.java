package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves a {@link DnsServer} on a host TCP socket: a virtual thread per connection, at most
 * {@code maxConnections} at once (more are closed and counted), each closed after {@code idleMillis}
 * without a complete query.
 */
public final class DnsTcpServer implements AutoCloseable {
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final int DEFAULT_IDLE_MILLIS = 10_000;

    private final ServerSocketChannel channel;
    private final DnsServer server;
    private final int maxConnections;
    private final int idleMillis;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Counter refused;

    private DnsTcpServer(ServerSocketChannel channel, DnsServer server, int maxConnections, int idleMillis,
                         Counters counters) {
        this.channel = channel;
        this.server = server;
        this.maxConnections = maxConnections;
        this.idleMillis = idleMillis;
        this.refused = counters.counter("dns.tcp.refused_too_many_connections");
        this.acceptor = Thread.ofVirtual().name("dns-tcp-" + channel.socket().getLocalPort()).start(this::accept);
    }

    public static DnsTcpServer bind(InetSocketAddress address, DnsServer server, Counters counters)
            throws IOException {
        return bind(address, server, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_MILLIS, counters);
    }

    public static DnsTcpServer bind(InetSocketAddress address, DnsServer server, int maxConnections,
                                    int idleMillis, Counters counters) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(address);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new DnsTcpServer(ch, server, maxConnections, idleMillis, counters);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.socket().getLocalSocketAddress();
    }

    private void accept() {
        while (channel.isOpen()) {
            SocketChannel c;
            try {
                c = channel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue;
            }
            if (connections.size() >= maxConnections) {
                refused.increment();
                closeQuietly(c);
                continue;
            }
            connections.add(c);
            Thread.ofVirtual().name("dns-tcp-conn").start(() -> serve(c));
        }
    }

    private void serve(SocketChannel c) {
        try {
            Socket s = c.socket();
            s.setSoTimeout(idleMillis);
            new DnsStreamSession(server, s.getInputStream(), s.getOutputStream()).run();
        } catch (IOException e) {
            // The connection is unusable; closing it below is all there is to do.
        } finally {
            connections.remove(c);
            closeQuietly(c);
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // Already closed or reset by the peer.
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        connections.forEach(DnsTcpServer::closeQuietly);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
