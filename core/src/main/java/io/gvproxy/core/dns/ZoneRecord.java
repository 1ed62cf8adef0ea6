package io.gvproxy.core.dns;

import java.util.regex.Pattern;

/**
 * A record of a local zone (upstream's {@code Record}; renamed so it does not shadow {@link java.lang.Record}).
 * It matches a query name whose labels left of the zone equal {@code name} (ignoring ASCII case, RFC 4343), or
 * in which {@code regexp} finds a match anywhere (unanchored, as Go's {@code MatchString}); patterns are made
 * case-insensitive.
 *
 * @param name   the labels left of the zone without a trailing dot, or "" for none
 * @param regexp null for none
 */
public record ZoneRecord(String name, int ip, Pattern regexp) {
    public ZoneRecord {
        name = name == null ? "" : name;
        if (regexp != null && (regexp.flags() & Pattern.CASE_INSENSITIVE) == 0) {
            regexp = Pattern.compile(regexp.pattern(), regexp.flags() | Pattern.CASE_INSENSITIVE);
        }
    }

    public static ZoneRecord named(String name, int ip) {
        return new ZoneRecord(name, ip, null);
    }

    public static ZoneRecord matching(String regexp, int ip) {
        return new ZoneRecord("", ip, Pattern.compile(regexp));
    }

    boolean matches(String labelsLeftOfZone) {
        return (!name.isEmpty() && name.equalsIgnoreCase(labelsLeftOfZone))
                || (regexp != null && regexp.matcher(labelsLeftOfZone).find());
    }
}
