package io.gvproxy.cli.http.api;

import io.gvproxy.cli.http.api.GoJsonParser.JsonNumber;
import io.gvproxy.cli.http.api.GoJsonParser.JsonObject;
import io.gvproxy.cli.http.api.GoJsonParser.Member;
import io.gvproxy.cli.http.api.GoJsonParser.Null;
import io.gvproxy.core.dns.Zone;
import io.gvproxy.core.dns.ZoneRecord;
import io.gvproxy.core.net.Ipv4;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Upstream's {@code types.Zone} in JSON, both ways. Reading follows Go's {@code encoding/json} into
 * {@code Zone{Name string; Records []Record; DefaultIP net.IP}} and {@code Record{Name string; IP net.IP;
 * Regexp *regexp.Regexp}}: field names match ignoring case, unknown fields and nulls are ignored, a later duplicate
 * wins, and the first type, address or pattern error is the one reported, in Go's words. Writing gives Go's
 * encoder output: every field in declaration order, an unset address as {@code ""}, {@code Regexp} only when set.
 * Deviations: a zone without records is written {@code "Records":null} (Go writes {@code []} when the client sent an
 * empty list), a record without an address is stored as 0.0.0.0 and written {@code ""}, and an IPv6 address is
 * refused because the zones answer A queries only.
 */
final class ZoneJson {
    /** The first error Go's decoder would return; nothing was added. */
    static final class DecodeException extends Exception {
        DecodeException(String message) {
            super(message, null, false, false);
        }
    }

    private String firstError;

    private ZoneJson() {
    }

    /** The zone a {@code /services/dns/add} body describes. */
    static Zone decode(byte[] body) throws DecodeException {
        Object tree;
        try {
            tree = GoJsonParser.parse(body);
        } catch (GoJsonParser.SyntaxException e) {
            throw new DecodeException(e.getMessage());
        }
        ZoneJson d = new ZoneJson();
        Fields zone = d.zone(tree);
        if (d.firstError != null) {
            throw new DecodeException(d.firstError);
        }
        try {
            return new Zone(zone.name(), zone.records(), zone.defaultIp());
        } catch (IllegalArgumentException e) {
            // Upstream stores any name; ours must be a valid DNS name because it is matched on the wire.
            throw new DecodeException("invalid zone name " + zone.name() + ": " + e.getMessage());
        }
    }

    private record Fields(String name, List<ZoneRecord> records, OptionalInt defaultIp) {
    }

    private Fields zone(Object tree) {
        String name = "";
        List<ZoneRecord> records = new ArrayList<>();
        OptionalInt defaultIp = OptionalInt.empty();
        if (!(tree instanceof JsonObject o)) {
            if (tree != Null.NULL) {
                save("json: cannot unmarshal " + kind(tree) + " into Go value of type types.Zone");
            }
            return new Fields(name, records, defaultIp);
        }
        for (Member m : o.members()) {
            Object v = m.value();
            if (v == Null.NULL) {
                if (m.key().equalsIgnoreCase("Records")) {
                    records = new ArrayList<>();
                } else if (m.key().equalsIgnoreCase("DefaultIP")) {
                    defaultIp = OptionalInt.empty();
                }
                continue;
            }
            if (m.key().equalsIgnoreCase("Name")) {
                if (v instanceof String s) {
                    name = s;
                } else {
                    typeError(v, "Zone.Name", "string");
                }
            } else if (m.key().equalsIgnoreCase("Records")) {
                if (v instanceof List<?> items) {
                    records = new ArrayList<>();
                    for (Object item : items) {
                        ZoneRecord r = record(item);
                        if (r != null) {
                            records.add(r);
                        }
                    }
                } else {
                    typeError(v, "Zone.Records", "[]types.Record");
                }
            } else if (m.key().equalsIgnoreCase("DefaultIP")) {
                defaultIp = ip(v, "Zone.DefaultIP");
            }
        }
        return new Fields(name, records, defaultIp);
    }

    /** A record, or null when the element was null or not an object. */
    private ZoneRecord record(Object item) {
        if (item == Null.NULL) {
            return new ZoneRecord("", 0, null);
        }
        if (!(item instanceof JsonObject o)) {
            typeError(item, "Zone.Records", "types.Record");
            return null;
        }
        String name = "";
        OptionalInt ip = OptionalInt.empty();
        Pattern regexp = null;
        for (Member m : o.members()) {
            Object v = m.value();
            if (m.key().equalsIgnoreCase("Name")) {
                if (v instanceof String s) {
                    name = s;
                } else if (v != Null.NULL) {
                    typeError(v, "Record.Records.Name", "string");
                }
            } else if (m.key().equalsIgnoreCase("IP")) {
                ip = v == Null.NULL ? OptionalInt.empty() : ip(v, "Record.Records.IP");
            } else if (m.key().equalsIgnoreCase("Regexp")) {
                regexp = v == Null.NULL ? null : regexp(v);
            }
        }
        return new ZoneRecord(name, ip.orElse(0), regexp);
    }

    private OptionalInt ip(Object v, String field) {
        if (!(v instanceof String s)) {
            typeError(v, field, "net.IP");
            return OptionalInt.empty();
        }
        if (s.isEmpty()) {
            return OptionalInt.empty();
        }
        if (Ipv4.isValid(s) && s.strip().equals(s)) {
            return OptionalInt.of(Ipv4.parse(s));
        }
        if (s.indexOf(':') >= 0 && s.indexOf('%') < 0 && s.indexOf('[') < 0) {
            try {
                InetAddress a = InetAddress.ofLiteral(s);
                if (a instanceof Inet4Address) {
                    return OptionalInt.of(Ipv4.fromInetAddress(a));
                }
                save("invalid IP address: " + s + " (local zones answer A queries only, so the address must be IPv4)");
                return OptionalInt.empty();
            } catch (IllegalArgumentException e) {
                // Not an IPv6 literal either: reported below as Go reports it.
            }
        }
        save("invalid IP address: " + s);
        return OptionalInt.empty();
    }

    private Pattern regexp(Object v) {
        if (!(v instanceof String s)) {
            typeError(v, "Record.Records.Regexp", "*regexp.Regexp");
            return null;
        }
        var error = Re2Syntax.error(s);
        if (error.isPresent()) {
            save(error.get());
            return null;
        }
        return Pattern.compile(s);
    }

    private void typeError(Object v, String field, String goType) {
        save("json: cannot unmarshal " + kind(v) + " into Go struct field " + field + " of type " + goType);
    }

    private void save(String message) {
        if (firstError == null) {
            firstError = message;
        }
    }

    private static String kind(Object v) {
        return switch (v) {
            case JsonObject o -> "object";
            case List<?> l -> "array";
            case String s -> "string";
            case JsonNumber n -> "number";
            case Boolean b -> "bool";
            default -> "null";
        };
    }

    /** {@code /services/dns/all}: the zones as Go's json.Encoder writes {@code []types.Zone}, with its newline. */
    static String encode(List<Zone> zones) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < zones.size(); i++) {
            Zone z = zones.get(i);
            b.append(i == 0 ? "{\"Name\":" : ",{\"Name\":");
            GoJsonWriter.string(b, z.name());
            b.append(",\"Records\":");
            if (z.records().isEmpty()) {
                b.append("null");
            } else {
                b.append('[');
                for (int j = 0; j < z.records().size(); j++) {
                    record(b.append(j == 0 ? "" : ","), z.records().get(j));
                }
                b.append(']');
            }
            b.append(",\"DefaultIP\":");
            GoJsonWriter.string(b, z.defaultIp().isPresent() ? Ipv4.toString(z.defaultIp().getAsInt()) : "");
            b.append('}');
        }
        return b.append("]\n").toString();
    }

    private static void record(StringBuilder b, ZoneRecord r) {
        b.append("{\"Name\":");
        GoJsonWriter.string(b, r.name());
        b.append(",\"IP\":");
        GoJsonWriter.string(b, r.ip() == 0 ? "" : Ipv4.toString(r.ip()));
        if (r.regexp() != null) {
            b.append(",\"Regexp\":");
            GoJsonWriter.string(b, r.regexp().pattern());
        }
        b.append('}');
    }
}
