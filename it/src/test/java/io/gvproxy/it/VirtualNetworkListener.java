package io.gvproxy.it;

import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.link.StreamFraming;
import io.gvproxy.core.link.StreamLink;
import io.gvproxy.core.net.MacAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link VirtualNetwork} built in the test JVM (so a test can give it zones or change them at runtime without
 * the HTTP API) accepting QEMU-framed connections on a unix socket, as gvproxy's {@code -listen-qemu} does: a
 * {@link NetnsGuest} started with {@link NetnsUplink#qemu} attaches to it. {@link #close} stops accepting; closing
 * the network (the caller's) detaches the links.
 */
final class VirtualNetworkListener implements AutoCloseable {
    private final VirtualNetwork network;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    VirtualNetworkListener(VirtualNetwork network, Path socket) {
        this.network = network;
        this.socket = socket;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socket, e);
        }
        acceptor = Thread.ofPlatform().daemon().name("vnet-accept").start(this::accept);
    }

    NetnsUplink uplink(MacAddress mac) {
        return NetnsUplink.qemu(socket, mac);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                network.attach(StreamLink.of("netns", ch, StreamFraming.QEMU, network.counters()), port -> { });
            } catch (IOException e) {
                // Closed by close(): no further guests.
                return;
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(5_000);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
