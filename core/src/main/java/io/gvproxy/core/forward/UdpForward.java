package io.gvproxy.core.forward;

import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.udp.UdpDispatcher;
import io.gvproxy.core.udp.UdpSender;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A host UDP socket forwarded to one guest port: each host client address gets its own flow, a gateway port the
 * guest answers to, and the flow ends after {@link #IDLE_MILLIS} without traffic either way (upstream's 90 s).
 * Closing the forward ends every flow.
 */
final class UdpForward implements AutoCloseable {
    static final long IDLE_MILLIS = 90_000;
    static final int MAX_FLOWS = 1024;
    private static final int MAX_DATAGRAM = 65507;

    private final DatagramChannel socket;
    private final UdpPorts ports;
    private final UdpDispatcher dispatcher;
    private final UdpSender sender;
    private final ArpResolver arp;
    private final int gatewayIp;
    private final int guestIp;
    private final int guestPort;
    private final long idleMillis;
    private final Consumer<String> log;
    private final Map<SocketAddress, Flow> flows = new ConcurrentHashMap<>();
    /** Read and written on the reader thread only, like every call of open(). */
    private boolean fullLogged;
    private final Thread reader;
    private final Thread sweeper;

    private final class Flow {
        final SocketAddress client;
        final int gatewayPort;
        final long guestMac;
        volatile long lastActive = System.nanoTime();

        Flow(SocketAddress client, int gatewayPort, long guestMac) {
            this.client = client;
            this.gatewayPort = gatewayPort;
            this.guestMac = guestMac;
        }
    }

    UdpForward(DatagramChannel socket, UdpPorts ports, UdpDispatcher dispatcher, UdpSender sender, ArpResolver arp,
               int gatewayIp, int guestIp, int guestPort, long idleMillis, Consumer<String> log) {
        this.socket = socket;
        this.ports = ports;
        this.dispatcher = dispatcher;
        this.sender = sender;
        this.arp = arp;
        this.gatewayIp = gatewayIp;
        this.guestIp = guestIp;
        this.guestPort = guestPort;
        this.idleMillis = idleMillis;
        this.log = log;
        this.reader = Thread.ofVirtual().name("fwd-udp").start(this::readAll);
        this.sweeper = Thread.ofVirtual().name("fwd-udp-idle").start(this::sweep);
    }

    private void readAll() {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        while (socket.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = socket.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.accept("udp forward: receive failed: " + e.getMessage());
                continue;
            }
            buf.flip();
            Flow f = flows.get(from);
            if (f == null) {
                f = open(from);
                if (f == null) {
                    continue;
                }
            }
            f.lastActive = System.nanoTime();
            sender.send(f.guestMac, gatewayIp, f.gatewayPort, guestIp, guestPort, MemorySegment.ofBuffer(buf));
        }
    }

    private Flow open(SocketAddress client) {
        if (flows.size() >= MAX_FLOWS) {
            // once per full spell: a client flooding from new ports must not flood the log as well
            if (!fullLogged) {
                fullLogged = true;
                log.accept("udp forward: " + MAX_FLOWS + " flows open, dropping datagrams from new clients such as "
                        + client + " until a flow idles out");
            }
            return null;
        }
        fullLogged = false;
        MacAddress mac;
        try {
            mac = arp.macOf(guestIp, 1000);
        } catch (IOException e) {
            log.accept("udp forward: " + e.getMessage());
            return null;
        }
        int port = ports.allocate();
        if (port < 0) {
            log.accept("udp forward: no free gateway port");
            return null;
        }
        Flow f = new Flow(client, port, mac.bits());
        dispatcher.bind(port, (eth, ip, udp) -> {
            if (ip.sourceAddress() != guestIp || udp.sourcePort() != guestPort) {
                return false;
            }
            f.lastActive = System.nanoTime();
            ByteBuffer reply = udp.segment().asSlice(udp.payloadOffset(), udp.payloadLength()).asByteBuffer();
            try {
                socket.send(reply, f.client);
            } catch (IOException e) {
                return false;
            }
            return true;
        });
        flows.put(client, f);
        return f;
    }

    private void sweep() {
        long period = Math.clamp(idleMillis / 4, 10, 5000);
        while (socket.isOpen()) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Flow f : flows.values()) {
                if ((now - f.lastActive) / 1_000_000 >= idleMillis) {
                    end(f);
                }
            }
        }
    }

    private void end(Flow f) {
        if (flows.remove(f.client, f)) {
            dispatcher.bind(f.gatewayPort, null);
            ports.release(f.gatewayPort);
        }
    }

    int flowCount() {
        return flows.size();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        sweeper.interrupt();
        reader.interrupt();
        for (Flow f : flows.values()) {
            end(f);
        }
    }
}
