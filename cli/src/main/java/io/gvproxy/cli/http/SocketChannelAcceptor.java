package io.gvproxy.cli.http;

import io.gvproxy.cli.LogrusLogger;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A JDK unix or TCP server channel as a {@link StreamAcceptor}. On a unix socket, clients whose SO_PEERCRED user
 * differs from {@code owner} are dropped: the socket file's 0600 mode already keeps other users out, this holds
 * even if someone loosens it.
 */
public final class SocketChannelAcceptor implements StreamAcceptor {
    private final ServerSocketChannel server;
    private final String address;
    private final UserPrincipal owner;
    private final Runnable onClose;
    private final LogrusLogger log;
    private final AtomicLong accepted = new AtomicLong();

    /**
     * @param owner   for a unix socket, the only user allowed to connect (null for TCP)
     * @param onClose closes the server channel and removes its socket file
     */
    public SocketChannelAcceptor(ServerSocketChannel server, String address, UserPrincipal owner, Runnable onClose,
            LogrusLogger log) {
        this.server = server;
        this.address = address;
        this.owner = owner;
        this.onClose = onClose;
        this.log = log;
    }

    @Override
    public Accepted accept() throws IOException {
        SocketChannel ch = server.accept();
        long n = accepted.incrementAndGet();
        try {
            if (ch.getRemoteAddress() instanceof InetSocketAddress a) {
                return new Accepted(ch, a.getAddress().getHostAddress() + ":" + a.getPort());
            }
            if (owner != null) {
                UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
                if (!owner.equals(peer.user())) {
                    log.warn(address + ": dropping a connection from user " + peer.user().getName()
                            + ": only " + owner.getName() + " may use this socket");
                    ch.close();
                    return null;
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.warn(address + ": dropping a connection whose peer cannot be checked: " + e.getMessage());
            ch.close();
            return null;
        }
        return new Accepted(ch, address + "#" + n);
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public void close() {
        onClose.run();
    }
}
