package io.gvproxy.cli;

import io.gvproxy.cli.http.HttpLimits;
import io.gvproxy.cli.http.HttpServer;
import io.gvproxy.cli.http.Router;
import io.gvproxy.cli.http.StreamAcceptor;
import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.forward.TcpStreamChannel;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.tcpip.SynOffer;
import io.gvproxy.core.tcpip.TcpStream;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP service inside the VM on gatewayIP:80 (upstream's gonet listener): guest connections to that address
 * are taken by the network's SYN router, accepted in our TCP stack, and served by an {@link HttpServer} like the
 * host's API endpoints.
 */
final class GuestApiServer implements AutoCloseable {
    static final int PORT = 80;
    private static final int BACKLOG = 64;

    private final VirtualNetwork network;
    private final HttpServer server;
    private final BlockingQueue<TcpStream> accepted = new ArrayBlockingQueue<>(BACKLOG);
    private volatile boolean open = true;

    private GuestApiServer(VirtualNetwork network, Router router, LogrusLogger log) {
        this.network = network;
        String address = "tcp://" + Ipv4.toString(network.config().gatewayIp()) + ":" + PORT + " (in the VM)";
        this.server = new HttpServer("gateway-api", new Acceptor(address), router, HttpLimits.DEFAULT, log);
    }

    /**
     * Binds gatewayIP:80 in the virtual network and starts serving {@code router} there; empty when another server
     * of the same network already serves it (only tests share a network between servers).
     */
    static java.util.Optional<GuestApiServer> start(VirtualNetwork network, Router router, LogrusLogger log) {
        GuestApiServer s = new GuestApiServer(network, router, log);
        if (!network.synRouter().bind(network.config().gatewayIp(), PORT, s::onSyn)) {
            log.warn("gateway port " + PORT + " is already served by another API server of this network");
            return java.util.Optional.empty();
        }
        s.server.start();
        return java.util.Optional.of(s);
    }

    private void onSyn(SynOffer offer) {
        if (!open || accepted.remainingCapacity() == 0) {
            offer.reject();
            return;
        }
        offer.accept().ifPresent(stream -> {
            if (!accepted.offer(stream)) {
                stream.abort();
            }
        });
    }

    private final class Acceptor implements StreamAcceptor {
        private final String address;

        Acceptor(String address) {
            this.address = address;
        }

        @Override
        public Accepted accept() throws IOException {
            TcpStream s = null;
            try {
                // polled, so that close() ends a waiting accept without a wake-up element
                while (open && s == null) {
                    s = accepted.poll(200, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                throw new ClosedChannelException();
            }
            if (!open) {
                if (s != null) {
                    s.abort();
                }
                throw new ClosedChannelException();
            }
            return new Accepted(new TcpStreamChannel(s), Ipv4.toString(s.remoteAddress()) + ":" + s.remotePort());
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public void close() {
            open = false;
            network.synRouter().unbind(network.config().gatewayIp(), PORT);
            TcpStream s;
            while ((s = accepted.poll()) != null) {
                s.abort();
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
