package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/** Serves a {@link DnsServer} on a host UDP socket: one receive loop on a virtual thread. */
public final class DnsUdpServer implements AutoCloseable {
    private final DatagramChannel channel;
    private final DnsServer server;
    private final Thread loop;
    private final Counter sendErrors;
    private final Counter receiveErrors;

    private DnsUdpServer(DatagramChannel channel, DnsServer server, Counters counters) {
        this.channel = channel;
        this.server = server;
        this.sendErrors = counters.counter("dns.udp.send_errors");
        this.receiveErrors = counters.counter("dns.udp.receive_errors");
        this.loop = Thread.ofVirtual().name("dns-udp-" + channel.socket().getLocalPort()).start(this::run);
    }

    /** Binds {@code address} (port 0 for an ephemeral one) and starts serving. */
    public static DnsUdpServer bind(InetSocketAddress address, DnsServer server, Counters counters)
            throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.bind(address);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new DnsUdpServer(ch, server, counters);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.socket().getLocalSocketAddress();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(DnsWire.MAX_MESSAGE);
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                receiveErrors.increment();
                continue;
            }
            byte[] query = new byte[buf.position()];
            buf.flip().get(query);
            server.handle(query, DnsTransport.UDP, response -> send(response, from));
        }
    }

    private void send(byte[] response, SocketAddress to) {
        try {
            channel.send(ByteBuffer.wrap(response), to);
        } catch (IOException e) {
            sendErrors.increment();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
