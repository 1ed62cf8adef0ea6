package io.gvproxy.core.forward;

import io.gvproxy.core.VirtualNetwork;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Host → guest port forwards (upstream's {@code PortsForwarder}): a table keyed by protocol and local address,
 * each entry a host listener whose clients reach a guest port through the gateway's TCP/UDP. Protocols are
 * {@code tcp}, {@code udp} and {@code unix} (a host unix socket to a guest TCP port, remote {@code tcp://ip:port}).
 */
public final class PortForwarder implements AutoCloseable {
    public static final int MAX_CONNECTIONS_PER_FORWARD = 16_384;

    /** One forward as the API lists it. */
    public record Forward(String local, String remote, String protocol) {
    }

    private record Entry(Forward forward, AutoCloseable underlying) {
    }

    private final VirtualNetwork network;
    private final GuestDialer dialer;
    private final ArpResolver arp;
    private final UdpPorts udpPorts = new UdpPorts();
    private final Consumer<String> log;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public PortForwarder(VirtualNetwork network, Consumer<String> log) {
        this.network = network;
        this.arp = network.arpResolver();
        this.dialer = new GuestDialer(network.tcpStack(), arp, network.config().gatewayIp());
        this.log = log;
    }

    /** Dials guests from the gateway (also used by {@code /tunnel}). */
    public GuestDialer dialer() {
        return dialer;
    }

    private static String key(String protocol, String local) {
        return protocol + "/" + local;
    }

    /** Starts forwarding {@code local} on the host to {@code remote} in the guest network. */
    public synchronized void expose(String protocol, String local, String remote) throws ForwardException {
        if (entries.containsKey(key(protocol, local))) {
            throw new ForwardException("proxy already running for " + protocol + " on " + local);
        }
        AutoCloseable underlying = switch (protocol) {
            case "unix" -> unix(local, remote);
            case "udp" -> udp(local, remote);
            case "tcp" -> tcp(local, remote);
            default -> throw new ForwardException("unknown protocol " + protocol);
        };
        entries.put(key(protocol, local), new Entry(new Forward(local, remote, protocol), underlying));
    }

    private AutoCloseable tcp(String local, String remote) throws ForwardException {
        HostPort.Guest guest = HostPort.guest(remote);
        InetSocketAddress address = HostPort.listen("tcp", local);
        ServerSocketChannel listener;
        try {
            listener = ServerSocketChannel.open();
            try {
                listener.bind(address, 1024);
            } catch (IOException e) {
                listener.close();
                throw e;
            }
        } catch (IOException e) {
            throw new ForwardException("listen tcp " + local + ": bind: " + describe(e));
        }
        return new TcpForward(listener, dialer, guest.ip(), guest.port(), MAX_CONNECTIONS_PER_FORWARD, log);
    }

    private AutoCloseable udp(String local, String remote) throws ForwardException {
        HostPort.Guest guest = HostPort.guest(remote);
        InetSocketAddress address = HostPort.listen("udp", local);
        DatagramChannel socket;
        try {
            socket = DatagramChannel.open();
            try {
                socket.bind(address);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        } catch (IOException e) {
            throw new ForwardException("listen udp " + local + ": bind: " + describe(e));
        }
        return new UdpForward(socket, udpPorts, network.udp(), network.udpSender(), arp,
                network.config().gatewayIp(), guest.ip(), guest.port(), UdpForward.IDLE_MILLIS, log);
    }

    private AutoCloseable unix(String local, String remote) throws ForwardException {
        URI uri;
        try {
            uri = new URI(remote);
        } catch (URISyntaxException e) {
            throw new ForwardException("failed to parse remote uri :" + remote + " : " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("tcp")) {
            throw new ForwardException("remote protocol for unix forwarder is not implemented: " + scheme);
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        String port = uri.getPort() < 0 ? "" : Integer.toString(uri.getPort());
        HostPort.Guest guest = HostPort.guest(host + ":" + port);
        ServerSocketChannel listener;
        try {
            Path path = Path.of(local);
            // upstream replaces whatever is at the path
            Files.deleteIfExists(path);
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                listener.bind(UnixDomainSocketAddress.of(path), 1024);
            } catch (IOException e) {
                listener.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            throw new ForwardException("listen unix " + local + ": bind: " + describe(e));
        }
        Path path = Path.of(local);
        TcpForward forward = new TcpForward(listener, dialer, guest.ip(), guest.port(), MAX_CONNECTIONS_PER_FORWARD,
                log);
        return () -> {
            forward.close();
            Files.deleteIfExists(path);
        };
    }

    private static String describe(Exception e) {
        if (e instanceof BindException) {
            String m = String.valueOf(e.getMessage());
            return m.toLowerCase(java.util.Locale.ROOT).contains("in use") ? "address already in use" : m;
        }
        return String.valueOf(e.getMessage());
    }

    /** Stops forwarding {@code local}: closes its listener (open TCP connections go on; UDP flows end). */
    public synchronized void unexpose(String protocol, String local) throws ForwardException {
        Entry e = entries.remove(key(protocol, local));
        if (e == null) {
            throw new ForwardException("proxy not found");
        }
        try {
            e.underlying().close();
        } catch (Exception ex) {
            throw new ForwardException(String.valueOf(ex.getMessage()));
        }
    }

    /** Every forward, sorted by local address, then protocol, as upstream lists them. */
    public synchronized List<Forward> list() {
        List<Forward> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.add(e.forward());
        }
        out.sort(Comparator.comparing(Forward::local).thenComparing(Forward::protocol));
        return out;
    }

    /** Closes every listener. */
    @Override
    public synchronized void close() {
        for (Entry e : entries.values()) {
            try {
                e.underlying().close();
            } catch (Exception ex) {
                log.accept("closing forward " + e.forward() + ": " + ex.getMessage());
            }
        }
        entries.clear();
    }
}
