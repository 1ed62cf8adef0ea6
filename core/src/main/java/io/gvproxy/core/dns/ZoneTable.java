package io.gvproxy.core.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The local zones, in match order, replaceable at runtime. Readers take an immutable snapshot without locking;
 * writers serialise on the table.
 */
public final class ZoneTable {
    private volatile List<Zone> zones;

    public ZoneTable(List<Zone> zones) {
        this.zones = List.copyOf(zones);
    }

    /** Upstream's defaults: {@code containers.internal.} and {@code docker.internal.}, each with
     *  {@code gateway} → the gateway and {@code host} → the host IP. */
    public static ZoneTable defaults(int gatewayIp, int hostIp) {
        List<ZoneRecord> records = List.of(ZoneRecord.named("gateway", gatewayIp), ZoneRecord.named("host", hostIp));
        return new ZoneTable(List.of(new Zone("containers.internal.", records, OptionalInt.empty()),
                new Zone("docker.internal.", records, OptionalInt.empty())));
    }

    public List<Zone> zones() {
        return zones;
    }

    /**
     * Upstream's {@code addZone}: a zone with a new name is appended; for an existing name (ignoring case) the
     * new records go before the old ones and the new default address replaces the old one, even when absent.
     */
    public synchronized void addZone(Zone zone) {
        List<Zone> next = new ArrayList<>(zones);
        for (int i = 0; i < next.size(); i++) {
            Zone old = next.get(i);
            if (old.name().equalsIgnoreCase(zone.name())) {
                List<ZoneRecord> records = new ArrayList<>(zone.records());
                records.addAll(old.records());
                next.set(i, new Zone(old.name(), records, zone.defaultIp()));
                zones = List.copyOf(next);
                return;
            }
        }
        next.add(zone);
        zones = List.copyOf(next);
    }

    /** The first zone containing {@code qname} decides; null when none does. */
    Zone.ZoneAnswer lookup(String qname) {
        for (Zone z : zones) {
            Zone.ZoneAnswer a = z.answer(qname);
            if (a != null) {
                return a;
            }
        }
        return null;
    }
}
