package io.gvproxy.core.forward;

import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.tcpip.TcpStack;
import io.gvproxy.core.tcpip.TcpStream;

import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens TCP connections from the gateway to a guest: finds the guest's MAC (by ARP if need be), picks a free ephemeral port
 * of the gateway (the guest sees the connection come from gatewayIP:port), and waits for the handshake.
 */
public final class GuestDialer {
    private static final int FIRST_EPHEMERAL = 32768;
    private static final int EPHEMERAL_COUNT = 61000 - FIRST_EPHEMERAL;
    private static final int PORT_TRIES = 64;

    private final TcpStack stack;
    private final ArpResolver arp;
    private final int gatewayIp;
    private final AtomicInteger nextPort = new AtomicInteger((int) (Math.random() * EPHEMERAL_COUNT));

    public GuestDialer(TcpStack stack, ArpResolver arp, int gatewayIp) {
        this.stack = stack;
        this.arp = arp;
        this.gatewayIp = gatewayIp;
    }

    /**
     * A connected stream to {@code ip:port}, or an IOException once {@code timeoutMillis} have passed. The MAC the
     * stack last saw for {@code ip} is used; only an address it never saw is resolved by ARP first.
     */
    public TcpStream dial(int ip, int port, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        MacAddress mac = arp.macOf(ip, timeoutMillis);
        TcpStream stream = null;
        BindException lastBind = null;
        for (int i = 0; i < PORT_TRIES && stream == null; i++) {
            int src = FIRST_EPHEMERAL + Math.floorMod(nextPort.getAndIncrement(), EPHEMERAL_COUNT);
            try {
                stream = stack.connect(gatewayIp, src, ip, port, mac);
            } catch (BindException e) {
                lastBind = e;
            }
        }
        if (stream == null) {
            throw lastBind;
        }
        long left = Math.max(1, deadline - System.nanoTime());
        try {
            stream.awaitConnected(left, TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            stream.abort();
            throw e;
        }
        return stream;
    }
}
