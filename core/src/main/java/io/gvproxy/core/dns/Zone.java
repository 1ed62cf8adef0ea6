package io.gvproxy.core.dns;

import java.util.List;
import java.util.OptionalInt;

/**
 * A local authoritative zone: its records in match order and an optional address for every other name in it.
 *
 * @param name the zone name; a trailing dot is added when missing
 */
public record Zone(String name, List<ZoneRecord> records, OptionalInt defaultIp) {
    public Zone {
        name = DnsName.fqdn(name);
        DnsName.encode(name);
        records = List.copyOf(records);
    }

    /**
     * What this zone says about {@code qname} (presentation form): null when the name is not inside the zone
     * (the apex itself is not, as upstream), otherwise the address found or, when nothing matched and there
     * is no default address, that the name does not exist.
     */
    ZoneAnswer answer(String qname) {
        int suffix = name.length() + 1;
        int remainder = qname.length() - suffix;
        if (remainder <= 0 || qname.charAt(remainder) != '.'
                || !qname.regionMatches(true, remainder + 1, name, 0, name.length())) {
            return null;
        }
        String left = qname.substring(0, remainder);
        for (ZoneRecord r : records) {
            if (r.matches(left)) {
                return new ZoneAnswer(this, true, r.ip());
            }
        }
        if (defaultIp.isPresent()) {
            return new ZoneAnswer(this, true, defaultIp.getAsInt());
        }
        return new ZoneAnswer(this, false, 0);
    }

    /** The answer of a zone that contains the name: an address, or no such name. */
    record ZoneAnswer(Zone zone, boolean exists, int ip) {
    }
}
