package io.gvproxy.cli.http.api;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Upstream compiles a zone record's {@code Regexp} with Go's RE2 parser, and a pattern it refuses makes
 * {@code /services/dns/add} answer 400 with Go's {@code error parsing regexp: <code>: `<expr>`}. The DNS server
 * here matches with {@link Pattern}, which accepts constructs RE2 refuses (look-around, back-references, possessive
 * and nested quantifiers, escapes such as {@code \h}). This check refuses those as RE2 does, scanning left to right so
 * the first error RE2 would report is the one reported, then lets {@link Pattern} refuse whatever remains, quoting its
 * description (the only case whose text differs from upstream's).
 */
final class Re2Syntax {
    /** RE2's cap on {@code {n,m}} counts. */
    private static final int MAX_REPEAT = 1000;
    private static final String GO_ESCAPES = "afnrtvdDsSwWbBAzpPQEx0";

    private final String re;
    private int pos;
    /** Start of the previous repetition operator when the last item was one, else -1. */
    private int lastRepeat = -1;
    /** Whether an operand precedes the current position (a repetition needs one). */
    private boolean operand;
    /** Set by {@link #group} for a flags-only group such as {@code (?i)}. */
    private boolean flagsOnly;

    private Re2Syntax(String re) {
        this.re = re;
    }

    /** Go's error message for {@code pattern}, or empty when Go would compile it. */
    static Optional<String> error(String pattern) {
        String go = new Re2Syntax(pattern).scan();
        if (go != null) {
            return Optional.of("error parsing regexp: " + go);
        }
        try {
            Pattern.compile(pattern);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of("error parsing regexp: " + e.getDescription() + ": `" + pattern + "`");
        }
    }

    private static String err(String code, String expr) {
        return code + ": `" + expr + "`";
    }

    private String scan() {
        int depth = 0;
        while (pos < re.length()) {
            int start = pos;
            char c = re.charAt(pos++);
            switch (c) {
                case '(' -> {
                    flagsOnly = false;
                    String bad = group(start);
                    if (bad != null) {
                        return bad;
                    }
                    if (!flagsOnly) {
                        depth++;
                    }
                    operand = false;
                    lastRepeat = -1;
                }
                case ')' -> {
                    if (--depth < 0) {
                        return err("unexpected )", re);
                    }
                    item();
                }
                case '|' -> {
                    operand = false;
                    lastRepeat = -1;
                }
                case '*', '+', '?' -> {
                    String bad = repeat(start);
                    if (bad != null) {
                        return bad;
                    }
                }
                case '{' -> {
                    int end = countEnd(pos);
                    if (end < 0) {
                        item();
                    } else {
                        String bad = counted(start, end);
                        if (bad != null) {
                            return bad;
                        }
                    }
                }
                case '[' -> {
                    String bad = charClass(start);
                    if (bad != null) {
                        return bad;
                    }
                    item();
                }
                case '\\' -> {
                    String bad = escape(start);
                    if (bad != null) {
                        return bad;
                    }
                }
                default -> item();
            }
        }
        return depth > 0 ? err("missing closing )", re) : null;
    }

    private void item() {
        operand = true;
        lastRepeat = -1;
    }

    private String group(int start) {
        if (!re.startsWith("?", pos)) {
            return null;
        }
        if (re.startsWith("?P<", pos) || re.startsWith("?<", pos)) {
            int nameStart = pos + (re.charAt(pos + 1) == 'P' ? 3 : 2);
            int end = re.indexOf('>', nameStart);
            if (end < 0) {
                return err("invalid named capture", re.substring(start));
            }
            String name = re.substring(nameStart, end);
            if (name.isEmpty() || !name.chars().allMatch(ch -> ch == '_' || (ch < 0x80 && Character.isLetterOrDigit(ch)))) {
                return err("invalid named capture", re.substring(start, end + 1));
            }
            pos = end + 1;
            return null;
        }
        // Flags: (?i) (?i-s:...) (?:...).
        int p = pos + 1;
        while (p < re.length()) {
            char f = re.charAt(p++);
            if (f == ':') {
                pos = p;
                return null;
            }
            if (f == ')') {
                // Flags alone, as in (?i): no group opens and nothing precedes a following repetition.
                pos = p;
                flagsOnly = true;
                return null;
            }
            if ("imsU-".indexOf(f) < 0) {
                return err("invalid or unsupported Perl syntax", re.substring(start, p));
            }
        }
        return err("missing closing )", re);
    }

    private String repeat(int start) {
        if (pos < re.length() && re.charAt(pos) == '?') {
            pos++;
        }
        return afterRepeat(start);
    }

    private String afterRepeat(int start) {
        if (lastRepeat >= 0) {
            return err("invalid nested repetition operator", re.substring(lastRepeat, pos));
        }
        if (!operand) {
            return err("missing argument to repetition operator", re.substring(start, pos));
        }
        lastRepeat = start;
        return null;
    }

    /** The index after a well-formed {@code {n}}, {@code {n,}} or {@code {n,m}} whose '{' precedes {@code from},
     *  or -1 when the brace is a literal. */
    private int countEnd(int from) {
        int close = re.indexOf('}', from);
        if (close < 0 || !re.substring(from, close).matches("\\d+(,\\d*)?")) {
            return -1;
        }
        return close + 1;
    }

    private String counted(int start, int end) {
        String[] parts = re.substring(start + 1, end - 1).split(",", -1);
        pos = end;
        if (pos < re.length() && re.charAt(pos) == '?') {
            pos++;
        }
        long min = parseCount(parts[0]);
        long max = parts.length == 1 ? min : parts[1].isEmpty() ? -1 : parseCount(parts[1]);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min)) {
            return err("invalid repeat count", re.substring(start, pos));
        }
        return afterRepeat(start);
    }

    private static long parseCount(String digits) {
        return digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    private String charClass(int start) {
        int p = pos;
        if (p < re.length() && re.charAt(p) == '^') {
            p++;
        }
        boolean first = true;
        int prev = -1;
        while (p < re.length()) {
            char c = re.charAt(p);
            if (c == ']' && !first) {
                pos = p + 1;
                return null;
            }
            first = false;
            int itemStart = p;
            if (c == '\\') {
                if (p + 1 >= re.length()) {
                    return err("missing closing ]", re.substring(start));
                }
                p += 2;
                prev = re.charAt(p - 1);
                continue;
            }
            if (c == '[' && re.startsWith("[:", p)) {
                int close = re.indexOf(":]", p + 2);
                if (close > 0) {
                    p = close + 2;
                    prev = -1;
                    continue;
                }
            }
            p++;
            if (c == '-' && prev >= 0 && p < re.length() && re.charAt(p) != ']') {
                char hi = re.charAt(p);
                if (hi < prev) {
                    return err("invalid character class range", re.substring(itemStart - 1, p + 1));
                }
                p++;
                prev = -1;
                continue;
            }
            prev = c;
        }
        return err("missing closing ]", re.substring(start));
    }

    private String escape(int start) {
        if (pos >= re.length()) {
            return err("trailing backslash at end of expression", "");
        }
        char c = re.charAt(pos++);
        if (c < 0x80 && !Character.isLetterOrDigit(c)) {
            item();
            return null;
        }
        if (c >= '1' && c <= '7' && pos < re.length() && re.charAt(pos) >= '0' && re.charAt(pos) <= '7') {
            item();
            return null;
        }
        if (c > 0x7F || GO_ESCAPES.indexOf(c) < 0) {
            return err("invalid escape sequence", re.substring(start, pos));
        }
        if (c == 'Q') {
            int end = re.indexOf("\\E", pos);
            pos = end < 0 ? re.length() : end + 2;
        }
        item();
        return null;
    }
}
