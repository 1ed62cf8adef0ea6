package io.gvproxy.cli.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the part of YAML that gvproxy's config file uses: block mappings and lists by indentation, one-line flow
 * lists and mappings ({@code [a, b]}, {@code {}}), plain, single- and double-quoted one-line scalars, comments,
 * and one optional {@code ---}. Everything else (anchors, aliases, tags, block scalars {@code |}/{@code >},
 * multi-line scalars, complex keys, several documents, tabs in indentation) is refused with the line it is on.
 *
 * <p>Why not a YAML library: the schema needs only this subset; an own reader keeps the jars free of a
 * second runtime dependency and the runtime image free of its classes, reports errors by line in gvproxy's
 * wording, and is bounded ({@link #MAX_BYTES}, {@link #MAX_DEPTH}) so that no file can make it recurse or
 * allocate without limit. {@code YamlSubsetParserTest} fuzzes it with seeded random mutations of upstream's
 * config.yaml and round-trips random trees.
 */
public final class YamlSubsetParser {
    /** Far above any real config (upstream's example is 1 KB); bounds what a file can make gvproxy hold. */
    public static final int MAX_BYTES = 1 << 20;
    /** Nesting bound for block and flow collections; the schema nests four deep. */
    public static final int MAX_DEPTH = 32;

    /** A non-blank line: its 1-based number, its indentation and its text without comment and trailing blanks. */
    private record Line(int number, int indent, String text) {
    }

    private final List<Line> lines;
    private int pos;

    private YamlSubsetParser(List<Line> lines) {
        this.lines = lines;
    }

    /** The document's root node; an empty document is a null {@link YamlNode.Scalar}. */
    public static YamlNode parse(String text) throws YamlException {
        if (text.length() > MAX_BYTES) {
            throw new YamlException(0, "file is larger than " + MAX_BYTES + " bytes");
        }
        YamlSubsetParser p = new YamlSubsetParser(lines(text));
        if (p.lines.isEmpty()) {
            return new YamlNode.Scalar("", false, 1);
        }
        YamlNode root = p.block(p.lines.getFirst().indent(), 0);
        if (p.pos < p.lines.size()) {
            throw p.error(p.lines.get(p.pos), "bad indentation (does not line up with any key above)");
        }
        return root;
    }

    private static List<Line> lines(String text) throws YamlException {
        List<Line> out = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        boolean ended = false;
        boolean documentStarted = false;
        for (int i = 0; i < raw.length; i++) {
            int number = i + 1;
            String s = raw[i];
            if (s.endsWith("\r")) {
                s = s.substring(0, s.length() - 1);
            }
            if (i == 0 && s.startsWith("\uFEFF")) {
                s = s.substring(1);
            }
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    throw new YamlException(number, "control character U+" + String.format("%04X", (int) c)
                            + " is not allowed");
                }
            }
            int indent = 0;
            while (indent < s.length() && s.charAt(indent) == ' ') {
                indent++;
            }
            String content = stripComment(s.substring(indent)).strip();
            if (content.isEmpty()) {
                continue;
            }
            if (indent < s.length() && s.charAt(indent) == '\t') {
                throw new YamlException(number, "tab in indentation (YAML indents with spaces only)");
            }
            if (ended) {
                throw new YamlException(number, "content after the end of the document (\"...\")");
            }
            if (indent == 0 && content.equals("---")) {
                if (documentStarted || !out.isEmpty()) {
                    throw new YamlException(number, "several documents (\"---\") are not supported");
                }
                documentStarted = true;
                continue;
            }
            if (indent == 0 && content.equals("...")) {
                ended = true;
                continue;
            }
            if (indent == 0 && content.startsWith("%")) {
                throw new YamlException(number, "directives (\"%\") are not supported");
            }
            out.add(new Line(number, indent, content));
        }
        return out;
    }

    /** Cuts a comment: '#' at the start or after a blank, outside quotes that open a scalar. */
    private static String stripComment(String s) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (dbl) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    dbl = false;
                }
            } else if (single) {
                if (c == '\'') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                        i++;
                    } else {
                        single = false;
                    }
                }
            } else if (c == '#' && (i == 0 || s.charAt(i - 1) == ' ' || s.charAt(i - 1) == '\t')) {
                return s.substring(0, i);
            } else if ((c == '"' || c == '\'') && opensScalar(s, i)) {
                dbl = c == '"';
                single = c == '\'';
            }
        }
        return s;
    }

    private static boolean opensScalar(String s, int i) {
        if (i == 0) {
            return true;
        }
        char prev = s.charAt(i - 1);
        return prev == ' ' || prev == '\t' || prev == '[' || prev == '{' || prev == ',';
    }

    private YamlNode block(int indent, int depth) throws YamlException {
        Line l = lines.get(pos);
        if (depth > MAX_DEPTH) {
            throw error(l, "nested more than " + MAX_DEPTH + " levels deep");
        }
        if (isListItem(l.text())) {
            return sequence(indent, depth);
        }
        if (splitKey(l) != null) {
            return mapping(indent, depth);
        }
        pos++;
        YamlNode value = inline(l.text(), l.number(), depth);
        if (pos < lines.size() && lines.get(pos).indent() > indent) {
            throw error(lines.get(pos), "unexpected indentation (multi-line values are not supported)");
        }
        return value;
    }

    private static boolean isListItem(String text) {
        return text.equals("-") || text.startsWith("- ") || text.startsWith("-\t");
    }

    private YamlNode.Sequence sequence(int indent, int depth) throws YamlException {
        int first = lines.get(pos).number();
        List<YamlNode> items = new ArrayList<>();
        while (pos < lines.size() && lines.get(pos).indent() == indent && isListItem(lines.get(pos).text())) {
            Line l = lines.get(pos);
            String rest = l.text().substring(1);
            int skip = 0;
            while (skip < rest.length() && (rest.charAt(skip) == ' ' || rest.charAt(skip) == '\t')) {
                skip++;
            }
            rest = rest.substring(skip);
            if (rest.isEmpty()) {
                pos++;
                if (pos < lines.size() && lines.get(pos).indent() > indent) {
                    items.add(block(lines.get(pos).indent(), depth + 1));
                } else {
                    items.add(new YamlNode.Scalar("", false, l.number()));
                }
            } else {
                // The item's content stands in for a line of its own, indented to where it starts.
                int column = indent + 1 + skip;
                lines.set(pos, new Line(l.number(), column, rest));
                items.add(block(column, depth + 1));
            }
        }
        return new YamlNode.Sequence(items, first);
    }

    private YamlNode.Mapping mapping(int indent, int depth) throws YamlException {
        int first = lines.get(pos).number();
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        while (pos < lines.size() && lines.get(pos).indent() == indent) {
            Line l = lines.get(pos);
            if (isListItem(l.text())) {
                throw error(l, "a list item where a key was expected");
            }
            String[] kv = splitKey(l);
            if (kv == null) {
                throw error(l, "expected \"key: value\"");
            }
            YamlNode.Entry earlier = entries.get(kv[0]);
            if (earlier != null) {
                throw error(l, "key " + quote(kv[0]) + " is already defined on line " + earlier.keyLine());
            }
            pos++;
            YamlNode value;
            if (!kv[1].isEmpty()) {
                value = inline(kv[1], l.number(), depth + 1);
                if (pos < lines.size() && lines.get(pos).indent() > indent) {
                    throw error(lines.get(pos), "unexpected indentation (a key with a value on its line cannot"
                            + " also have lines below it)");
                }
            } else if (pos < lines.size() && lines.get(pos).indent() > indent) {
                value = block(lines.get(pos).indent(), depth + 1);
            } else if (pos < lines.size() && lines.get(pos).indent() == indent && isListItem(lines.get(pos).text())) {
                value = sequence(indent, depth + 1);
            } else {
                value = new YamlNode.Scalar("", false, l.number());
            }
            entries.put(kv[0], new YamlNode.Entry(kv[0], l.number(), value));
            if (pos < lines.size() && lines.get(pos).indent() > indent) {
                throw error(lines.get(pos), "bad indentation (does not line up with any key above)");
            }
        }
        return new YamlNode.Mapping(entries, first);
    }

    /** {key, rest} when the line is "key: rest" or "key:", else null. */
    private static String[] splitKey(Line l) throws YamlException {
        String t = l.text();
        char c0 = t.charAt(0);
        if (c0 == '"' || c0 == '\'') {
            Cursor cur = new Cursor(t, l.number());
            String key = cur.quoted();
            cur.skipBlanks();
            if (cur.at() < t.length() && t.charAt(cur.at()) == ':' && (cur.at() + 1 == t.length()
                    || isBlank(t.charAt(cur.at() + 1)))) {
                return new String[]{key, t.substring(cur.at() + 1).strip()};
            }
            return null;
        }
        if (c0 == '[' || c0 == '{' || c0 == '?') {
            return null;
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) == ':' && (i + 1 == t.length() || isBlank(t.charAt(i + 1)))) {
                String key = t.substring(0, i).strip();
                if (key.isEmpty()) {
                    throw new YamlException(l.number(), "empty key");
                }
                checkPlainStart(key, l.number());
                return new String[]{key, t.substring(i + 1).strip()};
            }
        }
        return null;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** A value written on the same line as its key or list dash. */
    private static YamlNode inline(String text, int line, int depth) throws YamlException {
        char c = text.charAt(0);
        if (c == '"' || c == '\'' || c == '[' || c == '{') {
            Cursor cur = new Cursor(text, line);
            YamlNode node = cur.flowValue(depth);
            cur.skipBlanks();
            if (cur.at() != text.length()) {
                throw new YamlException(line, "unexpected " + quote(text.substring(cur.at())) + " after the value");
            }
            return node;
        }
        if (isListItem(text)) {
            throw new YamlException(line, "a list cannot start on the line of its key; put \"- item\" on the"
                    + " lines below");
        }
        checkPlainStart(text, line);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ':' && (i + 1 == text.length() || isBlank(text.charAt(i + 1)))) {
                throw new YamlException(line, "unexpected \": \" in the value " + quote(text)
                        + " (quote the value if it contains \": \")");
            }
        }
        return new YamlNode.Scalar(text, false, line);
    }

    private static void checkPlainStart(String text, int line) throws YamlException {
        switch (text.charAt(0)) {
            case '&' -> throw new YamlException(line, "anchors (\"&\") are not supported");
            case '*' -> throw new YamlException(line, "aliases (\"*\") are not supported");
            case '!' -> throw new YamlException(line, "tags (\"!\") are not supported");
            case '|', '>' -> throw new YamlException(line, "block scalars (\"|\", \">\") are not supported; write"
                    + " the value on one line, quoted if needed");
            case '?' -> throw new YamlException(line, "complex keys (\"?\") are not supported");
            case '%', '@', '`', ']', '}', ',' -> throw new YamlException(line, "a plain value cannot start with "
                    + quote(text.substring(0, 1)) + "; quote it");
            default -> {
            }
        }
    }

    private YamlException error(Line l, String message) {
        return new YamlException(l.number(), message);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append(s.length() > 80 ? "...\"" : "\"").toString();
    }

    /** Reads one line's flow values and quoted scalars from left to right. */
    private static final class Cursor {
        private final String s;
        private final int line;
        private int i;

        Cursor(String s, int line) {
            this.s = s;
            this.line = line;
        }

        int at() {
            return i;
        }

        void skipBlanks() {
            while (i < s.length() && isBlank(s.charAt(i))) {
                i++;
            }
        }

        YamlNode flowValue(int depth) throws YamlException {
            if (depth > MAX_DEPTH) {
                throw new YamlException(line, "nested more than " + MAX_DEPTH + " levels deep");
            }
            skipBlanks();
            if (i >= s.length()) {
                throw new YamlException(line, "missing value before the end of the line");
            }
            char c = s.charAt(i);
            if (c == '[') {
                return flowSequence(depth);
            }
            if (c == '{') {
                return flowMapping(depth);
            }
            if (c == '"' || c == '\'') {
                return new YamlNode.Scalar(quoted(), true, line);
            }
            return plain(false);
        }

        private YamlNode.Sequence flowSequence(int depth) throws YamlException {
            i++;
            List<YamlNode> items = new ArrayList<>();
            while (true) {
                skipBlanks();
                if (i < s.length() && s.charAt(i) == ']') {
                    i++;
                    return new YamlNode.Sequence(items, line);
                }
                items.add(flowValue(depth + 1));
                skipBlanks();
                if (!separator(']')) {
                    throw new YamlException(line, "expected \",\" or \"]\" in the list");
                }
            }
        }

        private YamlNode.Mapping flowMapping(int depth) throws YamlException {
            i++;
            Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
            while (true) {
                skipBlanks();
                if (i < s.length() && s.charAt(i) == '}') {
                    i++;
                    return new YamlNode.Mapping(entries, line);
                }
                if (i >= s.length()) {
                    throw new YamlException(line, "\"{\" not closed on its line");
                }
                String key = s.charAt(i) == '"' || s.charAt(i) == '\'' ? quoted()
                        : ((YamlNode.Scalar) plain(true)).text();
                skipBlanks();
                if (i >= s.length() || s.charAt(i) != ':') {
                    throw new YamlException(line, "expected \":\" after the key " + quote(key));
                }
                i++;
                skipBlanks();
                YamlNode value = i < s.length() && (s.charAt(i) == ',' || s.charAt(i) == '}')
                        ? new YamlNode.Scalar("", false, line) : flowValue(depth + 1);
                if (entries.putIfAbsent(key, new YamlNode.Entry(key, line, value)) != null) {
                    throw new YamlException(line, "key " + quote(key) + " is already defined on this line");
                }
                skipBlanks();
                if (!separator('}')) {
                    throw new YamlException(line, "expected \",\" or \"}\" in the mapping");
                }
            }
        }

        /** Consumes a ',' (then leaves the closer for the loop) or sees the closer; false for anything else. */
        private boolean separator(char closer) {
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                return true;
            }
            return i < s.length() && s.charAt(i) == closer;
        }

        /** A plain scalar inside a flow collection: up to ",", "]", "}" or (for a key) ": ". */
        private YamlNode plain(boolean key) throws YamlException {
            int start = i;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == ',' || c == ']' || c == '}' || c == '[' || c == '{') {
                    break;
                }
                if (c == ':' && (i + 1 == s.length() || isBlank(s.charAt(i + 1)) || (key
                        && ",}".indexOf(s.charAt(i + 1)) >= 0))) {
                    if (key) {
                        break;
                    }
                    throw new YamlException(line, "unexpected \": \" in a list; quote the value");
                }
                i++;
            }
            String text = s.substring(start, i).strip();
            if (text.isEmpty()) {
                throw new YamlException(line, "empty entry in a flow collection");
            }
            checkPlainStart(text, line);
            return new YamlNode.Scalar(text, false, line);
        }

        /** A single- or double-quoted scalar starting at the cursor; it must end on this line. */
        String quoted() throws YamlException {
            char q = s.charAt(i++);
            StringBuilder b = new StringBuilder();
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == q) {
                    if (q == '\'' && i < s.length() && s.charAt(i) == '\'') {
                        b.append('\'');
                        i++;
                        continue;
                    }
                    return b.toString();
                }
                if (q == '"' && c == '\\') {
                    escape(b);
                } else {
                    b.append(c);
                }
            }
            throw new YamlException(line, "quoted value not closed on its line (multi-line values are not"
                    + " supported)");
        }

        private void escape(StringBuilder b) throws YamlException {
            if (i >= s.length()) {
                throw new YamlException(line, "quoted value not closed on its line");
            }
            char e = s.charAt(i++);
            switch (e) {
                case '0' -> b.append('\0');
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 't', '\t' -> b.append('\t');
                case 'n' -> b.append('\n');
                case 'v' -> b.append('\u000B');
                case 'f' -> b.append('\f');
                case 'r' -> b.append('\r');
                case 'e' -> b.append('\u001B');
                case ' ', '"', '/', '\\' -> b.append(e);
                case 'N' -> b.append('\u0085');
                case '_' -> b.append('\u00A0');
                case 'L' -> b.append('\u2028');
                case 'P' -> b.append('\u2029');
                case 'x' -> b.appendCodePoint(hex(2));
                case 'u' -> b.appendCodePoint(hex(4));
                case 'U' -> b.appendCodePoint(hex(8));
                default -> throw new YamlException(line, "unknown escape \"\\" + e + "\" in a double-quoted value");
            }
        }

        private int hex(int digits) throws YamlException {
            if (i + digits > s.length()) {
                throw new YamlException(line, "escape needs " + digits + " hex digits");
            }
            long v = 0;
            for (int k = 0; k < digits; k++) {
                int d = Character.digit(s.charAt(i + k), 16);
                if (d < 0) {
                    throw new YamlException(line, "escape needs " + digits + " hex digits");
                }
                v = v * 16 + d;
            }
            i += digits;
            if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
                throw new YamlException(line, "escape is not a Unicode character");
            }
            return (int) v;
        }
    }
}
