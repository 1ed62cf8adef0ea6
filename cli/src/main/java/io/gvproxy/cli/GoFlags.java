package io.gvproxy.cli;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A command-line parser with the syntax and error wording of Go's standard {@code flag} package, because podman and
 * other callers build gvproxy command lines for that package.
 *
 * <p>Deliberate difference: Go prints the usage text after every error; here an error is one line and only -h/-help
 * prints the usage.
 */
public final class GoFlags {
    /** The value type of a flag; {@code typeName} is what Go's PrintDefaults shows after the flag name. */
    public enum Kind {
        BOOL(""), STRING("string"), INT("int"), REPEATABLE("value");

        private final String typeName;

        Kind(String typeName) {
            this.typeName = typeName;
        }
    }

    /** One flag definition. {@code defaultValue} is Boolean, String, Long, or an empty List for REPEATABLE. */
    public record Flag(String name, Kind kind, Object defaultValue, String usage) {
    }

    private final String program;
    private final Map<String, Flag> flags = new LinkedHashMap<>();

    public GoFlags(String program) {
        this.program = program;
    }

    public GoFlags bool(String name, boolean def, String usage) {
        return add(new Flag(name, Kind.BOOL, def, usage));
    }

    public GoFlags string(String name, String def, String usage) {
        return add(new Flag(name, Kind.STRING, def, usage));
    }

    public GoFlags integer(String name, long def, String usage) {
        return add(new Flag(name, Kind.INT, def, usage));
    }

    public GoFlags repeatable(String name, String usage) {
        return add(new Flag(name, Kind.REPEATABLE, List.of(), usage));
    }

    private GoFlags add(Flag f) {
        if (flags.putIfAbsent(f.name(), f) != null) {
            throw new IllegalStateException("flag redefined: " + f.name());
        }
        return this;
    }

    public Map<String, Flag> flags() {
        return Collections.unmodifiableMap(flags);
    }

    /** Parses like Go's FlagSet.Parse: stops at the first non-flag argument, or after "--". */
    public ParsedFlags parse(List<String> args) throws FlagException {
        Map<String, Object> set = new LinkedHashMap<>();
        int i = 0;
        while (i < args.size()) {
            String s = args.get(i);
            if (s.length() < 2 || s.charAt(0) != '-') {
                break;
            }
            int minuses = 1;
            if (s.charAt(1) == '-') {
                minuses = 2;
                if (s.length() == 2) {
                    i++;
                    break;
                }
            }
            String name = s.substring(minuses);
            if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
                throw new FlagException("bad flag syntax: " + s);
            }
            i++;
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Flag flag = flags.get(name);
            if (flag == null) {
                if (name.equals("help") || name.equals("h")) {
                    throw new HelpRequestedException();
                }
                throw new FlagException("flag provided but not defined: -" + name);
            }
            if (flag.kind() == Kind.BOOL) {
                if (value == null) {
                    set.put(name, Boolean.TRUE);
                } else {
                    Boolean b = parseBool(value);
                    if (b == null) {
                        throw new FlagException("invalid boolean value " + GoQuote.quote(value) + " for -" + name
                                + ": parse error");
                    }
                    set.put(name, b);
                }
                continue;
            }
            if (value == null) {
                if (i >= args.size()) {
                    throw new FlagException("flag needs an argument: -" + name);
                }
                value = args.get(i++);
            }
            switch (flag.kind()) {
                case STRING -> set.put(name, value);
                case INT -> set.put(name, parseInt(flag.name(), value));
                case REPEATABLE -> {
                    @SuppressWarnings("unchecked")
                    List<String> list = (List<String>) set.computeIfAbsent(name, k -> new ArrayList<String>());
                    list.add(value);
                }
                case BOOL -> throw new AssertionError("handled above");
            }
        }
        set.replaceAll((k, v) -> v instanceof List<?> l ? List.copyOf(l) : v);
        return new ParsedFlags(flags, set, args.subList(i, args.size()));
    }

    /** Go's strconv.ParseBool. */
    static Boolean parseBool(String s) {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static long parseInt(String flag, String value) throws FlagException {
        BigInteger v = goParseInt(value);
        String problem = v == null ? "parse error"
                : v.bitLength() > 63 ? "value out of range" : null;
        if (problem != null) {
            throw new FlagException("invalid value " + GoQuote.quote(value) + " for flag -" + flag + ": " + problem);
        }
        return v.longValue();
    }

    /** Go's strconv.ParseInt(s, 0, 64) syntax (Go literal syntax): sign, 0x/0o/0b/0 prefixes, '_' digit separators. */
    static BigInteger goParseInt(String s0) {
        String s = s0;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            return null;
        }
        int base = 10;
        if (s.charAt(0) == '0') {
            if (s.length() >= 3 && (s.charAt(1) | 0x20) == 'x') {
                base = 16;
                s = s.substring(2);
            } else if (s.length() >= 3 && (s.charAt(1) | 0x20) == 'o') {
                base = 8;
                s = s.substring(2);
            } else if (s.length() >= 3 && (s.charAt(1) | 0x20) == 'b') {
                base = 2;
                s = s.substring(2);
            } else {
                base = 8;
                s = s.substring(1);
                if (s.isEmpty()) {
                    return BigInteger.ZERO;
                }
            }
        }
        StringBuilder digits = new StringBuilder(s.length());
        boolean underscores = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                underscores = true;
                continue;
            }
            if (Character.digit(c, base) < 0 || c > 'z') {
                return null;
            }
            digits.append(c);
        }
        if (digits.isEmpty() || (underscores && !underscoreOk(s0))) {
            return null;
        }
        BigInteger v = new BigInteger(digits.toString(), base);
        // bitLength() then tells int64 range exactly: -2^63 has 63 bits, +2^63 has 64.
        return negative ? v.negate() : v;
    }

    /** Go's strconv.underscoreOK: an underscore only between digits, or between a base prefix and a digit. */
    private static boolean underscoreOk(String s) {
        char saw = '^';
        int i = 0;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            s = s.substring(1);
        }
        boolean hex = false;
        if (s.length() >= 2 && s.charAt(0) == '0') {
            char l = (char) (s.charAt(1) | 0x20);
            if (l == 'b' || l == 'o' || l == 'x') {
                i = 2;
                saw = '0';
                hex = l == 'x';
            }
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            char l = (char) (c | 0x20);
            if ((c >= '0' && c <= '9') || (hex && l >= 'a' && l <= 'f')) {
                saw = '0';
                continue;
            }
            if (c == '_') {
                if (saw != '0') {
                    return false;
                }
                saw = '_';
                continue;
            }
            if (saw == '_') {
                return false;
            }
            saw = '!';
        }
        return saw != '_';
    }

    /** The text Go's default Usage prints: a header, then PrintDefaults (flags sorted by name). */
    public String usage() {
        StringBuilder b = new StringBuilder("Usage of ").append(program).append(":\n");
        for (Flag f : new TreeMap<>(flags).values()) {
            StringBuilder line = new StringBuilder("  -").append(f.name());
            if (!f.kind().typeName.isEmpty()) {
                line.append(' ').append(f.kind().typeName);
            }
            line.append(line.length() <= 4 ? "\t" : "\n    \t");
            line.append(f.usage().replace("\n", "\n    \t"));
            String def = switch (f.kind()) {
                case BOOL -> (Boolean) f.defaultValue() ? "true" : null;
                case STRING -> ((String) f.defaultValue()).isEmpty() ? null : GoQuote.quote((String) f.defaultValue());
                case INT -> (Long) f.defaultValue() == 0 ? null : f.defaultValue().toString();
                case REPEATABLE -> null;
            };
            if (def != null) {
                line.append(" (default ").append(def).append(')');
            }
            b.append(line).append('\n');
        }
        return b.toString();
    }
}
