package io.gvproxy.core.dhcp;

import io.gvproxy.core.net.MacAddress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dynamic address pool and its bindings. Every map is keyed by, or one-to-one with, a pool address, so
 * the table never outgrows the pool whatever the guests send. An expired binding is kept as a memory of the
 * MAC's last address: that MAC gets it back unless it had to be reclaimed for another MAC, and reclaiming
 * takes never-used addresses first and then the longest-expired ones. Not thread-safe; the server locks.
 */
final class LeasePool {
    /** How long an OFFERed address is held for the client's REQUEST. */
    static final long OFFER_HOLD_MILLIS = 60_000;

    private static final class Binding {
        final MacAddress mac;
        long expiresAt;
        boolean bound;

        Binding(MacAddress mac, long expiresAt, boolean bound) {
            this.mac = mac;
            this.expiresAt = expiresAt;
            this.bound = bound;
        }
    }

    private final DhcpConfig config;
    private final int firstHost;
    private final int lastHost;
    private final Map<MacAddress, Integer> staticByMac = new HashMap<>();
    private final Set<Integer> reserved = new HashSet<>();
    private final Map<Integer, Binding> byIp = new HashMap<>();
    private final Map<MacAddress, Integer> byMac = new HashMap<>();
    private final Map<Integer, Long> declinedUntil = new HashMap<>();

    LeasePool(DhcpConfig config) {
        this.config = config;
        this.firstHost = config.subnet().network() + 1;
        this.lastHost = config.subnet().broadcast() - 1;
        config.staticLeases().forEach((ip, mac) -> staticByMac.put(mac, ip));
        reserved.add(config.gatewayIp());
        reserved.addAll(config.excludedIps());
        reserved.addAll(config.staticLeases().keySet());
    }

    /** A dynamic address: inside the subnet, not network/broadcast, not reserved and not static. */
    boolean isPoolAddress(int ip) {
        return Integer.compareUnsigned(ip, firstHost) >= 0 && Integer.compareUnsigned(ip, lastHost) <= 0
                && !reserved.contains(ip);
    }

    /** Whether {@code ip} may be bound to {@code mac} now. */
    boolean canGrant(MacAddress mac, int ip, long now) {
        Integer fixed = staticByMac.get(mac);
        if (fixed != null) {
            return fixed == ip;
        }
        if (!isPoolAddress(ip) || isDeclined(ip, now)) {
            return false;
        }
        Binding b = byIp.get(ip);
        return b == null || b.mac.equals(mac) || b.expiresAt <= now;
    }

    /** The current binding's address for {@code mac} if it still holds one that has not expired, else 0. */
    int activeAddress(MacAddress mac, long now) {
        Integer fixed = staticByMac.get(mac);
        if (fixed != null) {
            return fixed;
        }
        Integer ip = byMac.get(mac);
        if (ip == null) {
            return 0;
        }
        Binding b = byIp.get(ip);
        return b.expiresAt > now ? ip : 0;
    }

    /**
     * Chooses an address for a DISCOVER and holds it for {@link #OFFER_HOLD_MILLIS}; 0 when the pool is full.
     * Preference: the static lease, the MAC's current or remembered address, the requested address, the first
     * never-used address, the longest-expired address.
     */
    int offer(MacAddress mac, int requested, long now) {
        Integer fixed = staticByMac.get(mac);
        if (fixed != null) {
            return fixed;
        }
        Integer previous = byMac.get(mac);
        int ip = 0;
        if (previous != null && canGrant(mac, previous, now)) {
            ip = previous;
        } else if (requested != 0 && canGrant(mac, requested, now)) {
            ip = requested;
        } else {
            ip = firstUnused(now);
            if (ip == 0) {
                ip = longestExpired(now);
            }
        }
        if (ip == 0) {
            return 0;
        }
        Binding b = byIp.get(ip);
        if (b != null && b.mac.equals(mac) && b.expiresAt > now) {
            return ip;
        }
        hold(mac, ip, now + OFFER_HOLD_MILLIS, false);
        return ip;
    }

    /** Binds {@code ip} (which {@link #canGrant} allowed) to {@code mac} until {@code expiresAt}. */
    void bind(MacAddress mac, int ip, long expiresAt) {
        if (staticByMac.containsKey(mac)) {
            return;
        }
        hold(mac, ip, expiresAt, true);
    }

    private void hold(MacAddress mac, int ip, long expiresAt, boolean bound) {
        Integer old = byMac.get(mac);
        if (old != null && old != ip) {
            byIp.remove(old);
        }
        Binding previousOwner = byIp.get(ip);
        if (previousOwner != null && !previousOwner.mac.equals(mac)) {
            byMac.remove(previousOwner.mac);
        }
        byIp.put(ip, new Binding(mac, expiresAt, bound));
        byMac.put(mac, ip);
    }

    /** Ends {@code mac}'s binding of {@code ip} now; the address is remembered for that MAC. */
    boolean release(MacAddress mac, int ip, long now) {
        Binding b = byIp.get(ip);
        if (b == null || !b.mac.equals(mac)) {
            return false;
        }
        b.expiresAt = Math.min(b.expiresAt, now);
        return true;
    }

    /** Frees an address only offered to {@code mac} (it chose another server's offer). */
    boolean cancelOffer(MacAddress mac, long now) {
        Integer ip = byMac.get(mac);
        Binding b = ip == null ? null : byIp.get(ip);
        if (b == null || b.bound) {
            return false;
        }
        b.expiresAt = Math.min(b.expiresAt, now);
        return true;
    }

    /** Forgets {@code mac}'s binding of {@code ip} and keeps the address out of the pool until {@code until}. */
    boolean decline(MacAddress mac, int ip, long until) {
        Binding b = byIp.get(ip);
        if (b == null || !b.mac.equals(mac)) {
            return false;
        }
        byIp.remove(ip);
        byMac.remove(mac);
        declinedUntil.put(ip, until);
        return true;
    }

    private boolean isDeclined(int ip, long now) {
        Long until = declinedUntil.get(ip);
        if (until == null) {
            return false;
        }
        if (until <= now) {
            declinedUntil.remove(ip);
            return false;
        }
        return true;
    }

    private int firstUnused(long now) {
        // Stops at the first address not in a map, so it visits at most |bindings| + |reserved| + |declined| + 1.
        for (int ip = firstHost; Integer.compareUnsigned(ip, lastHost) <= 0; ip++) {
            if (isPoolAddress(ip) && !byIp.containsKey(ip) && !isDeclined(ip, now)) {
                return ip;
            }
        }
        return 0;
    }

    private int longestExpired(long now) {
        int best = 0;
        long bestExpiry = Long.MAX_VALUE;
        for (var e : byIp.entrySet()) {
            Binding b = e.getValue();
            if (b.expiresAt <= now && b.expiresAt < bestExpiry && !isDeclined(e.getKey(), now)) {
                best = e.getKey();
                bestExpiry = b.expiresAt;
            }
        }
        return best;
    }

    /** The static leases and every bound, unexpired dynamic lease, ordered by address. */
    List<Lease> leases(long now) {
        List<Lease> out = new ArrayList<>();
        config.staticLeases().forEach((ip, mac) -> out.add(new Lease(ip, mac, Long.MAX_VALUE, true)));
        byIp.forEach((ip, b) -> {
            if (b.bound && b.expiresAt > now) {
                out.add(new Lease(ip, b.mac, b.expiresAt, false));
            }
        });
        out.sort(Comparator.comparingInt(l -> l.ip() ^ Integer.MIN_VALUE));
        return out;
    }

    int size() {
        return byIp.size();
    }
}
