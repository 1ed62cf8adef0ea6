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
    /** Character reads one regexp match may make; linear patterns on a 255-byte name need a few thousand. */
    static final long MATCH_BUDGET = 1_000_000;

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

    /** Whether the record matches; a regexp that exceeds {@link #MATCH_BUDGET} does not match. */
    boolean matches(String labelsLeftOfZone) {
        if (!name.isEmpty() && name.equalsIgnoreCase(labelsLeftOfZone)) {
            return true;
        }
        if (regexp == null) {
            return false;
        }
        try {
            return regexp.matcher(new BoundedCharSequence(labelsLeftOfZone, MATCH_BUDGET)).find();
        } catch (BoundedCharSequence.BudgetExceeded | StackOverflowError e) {
            return false;
        }
    }
}
