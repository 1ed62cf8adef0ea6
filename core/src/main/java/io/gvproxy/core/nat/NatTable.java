package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4;

import java.util.HashMap;
import java.util.Map;

/**
 * Upstream's static NAT map: an exact guest-side destination address is replaced by another before the host dials
 * it; the port is kept. Anything not in the map is dialled as is.
 */
public final class NatTable {
    private final Map<Integer, Integer> map;

    /** @param map guest-side address → host-side address (IPv4 ints) */
    public NatTable(Map<Integer, Integer> map) {
        this.map = Map.copyOf(map);
    }

    /** Upstream's default: the virtual host address means the host's 127.0.0.1. */
    public static NatTable hostLoopback(int hostIp) {
        Map<Integer, Integer> m = new HashMap<>();
        m.put(hostIp, Ipv4.parse("127.0.0.1"));
        return new NatTable(m);
    }

    public int translate(int destination) {
        Integer to = map.get(destination);
        return to == null ? destination : to;
    }

    public Map<Integer, Integer> entries() {
        return map;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("NatTable{");
        map.forEach((k, v) -> b.append(Ipv4.toString(k)).append("->").append(Ipv4.toString(v)).append(' '));
        return b.append('}').toString();
    }
}
