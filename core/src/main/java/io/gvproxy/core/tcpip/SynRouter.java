package io.gvproxy.core.tcpip;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stack's one {@link SynListener}, split by destination: SYNs to an address and port bound here (the API
 * service on gateway:80) go to that listener, every other SYN to the fallback (the outbound NAT). Without a
 * fallback, unbound SYNs are refused with a reset, as with no listener at all.
 */
public final class SynRouter implements SynListener {
    private final Map<Long, SynListener> bound = new ConcurrentHashMap<>();
    private volatile SynListener fallback;

    private static long key(int ip, int port) {
        return ((long) ip << 16) | (port & 0xFFFF);
    }

    /** Sends SYNs to {@code ip:port} to {@code listener}; false if that address is already bound. */
    public boolean bind(int ip, int port, SynListener listener) {
        return bound.putIfAbsent(key(ip, port), listener) == null;
    }

    public void unbind(int ip, int port) {
        bound.remove(key(ip, port));
    }

    /** Who gets SYNs to addresses not bound here; null refuses them. */
    public void setFallback(SynListener listener) {
        this.fallback = listener;
    }

    @Override
    public void onSyn(SynOffer offer) {
        SynListener l = bound.get(key(offer.localAddress(), offer.localPort()));
        if (l == null) {
            l = fallback;
        }
        if (l == null) {
            offer.reject();
        } else {
            l.onSyn(offer);
        }
    }
}
