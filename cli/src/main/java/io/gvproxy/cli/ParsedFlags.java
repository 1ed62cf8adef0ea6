package io.gvproxy.cli;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The outcome of {@link GoFlags#parse}: explicitly set values, defaults for the rest, and the arguments left over. */
public final class ParsedFlags {
    private final Map<String, GoFlags.Flag> definitions;
    private final Map<String, Object> set;
    private final List<String> remaining;

    ParsedFlags(Map<String, GoFlags.Flag> definitions, Map<String, Object> set, List<String> remaining) {
        this.definitions = Map.copyOf(definitions);
        this.set = Map.copyOf(set);
        this.remaining = List.copyOf(remaining);
    }

    /** True if the flag appeared on the command line, even with its default value. */
    public boolean isSet(String name) {
        return set.containsKey(definition(name).name());
    }

    public Set<String> setNames() {
        return set.keySet();
    }

    public boolean bool(String name) {
        return (Boolean) value(name, GoFlags.Kind.BOOL);
    }

    public String string(String name) {
        return (String) value(name, GoFlags.Kind.STRING);
    }

    public long integer(String name) {
        return (Long) value(name, GoFlags.Kind.INT);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        return (List<String>) value(name, GoFlags.Kind.REPEATABLE);
    }

    /**
     * These flags with some values replaced (a -config file's), as if given on the command line; values are
     * Boolean, String, Long or List of String as the flag's kind wants.
     */
    ParsedFlags withValues(Map<String, Object> values) {
        Map<String, Object> merged = new java.util.HashMap<>(set);
        values.forEach((name, value) -> {
            definition(name);
            merged.put(name, value instanceof List<?> l ? List.copyOf(l) : value);
        });
        return new ParsedFlags(definitions, merged, remaining);
    }

    /** Arguments after the flags (Go's flag.Args()). */
    public List<String> remaining() {
        return remaining;
    }

    private Object value(String name, GoFlags.Kind kind) {
        GoFlags.Flag f = definition(name);
        if (f.kind() != kind) {
            throw new IllegalArgumentException("flag -" + name + " is " + f.kind() + ", not " + kind);
        }
        return set.getOrDefault(name, f.defaultValue());
    }

    private GoFlags.Flag definition(String name) {
        GoFlags.Flag f = definitions.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no such flag: -" + name);
        }
        return f;
    }
}
