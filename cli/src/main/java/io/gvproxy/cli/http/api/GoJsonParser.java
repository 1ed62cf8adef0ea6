package io.gvproxy.cli.http.api;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the first JSON value of a request body as Go's {@code json.NewDecoder(body).Decode} does, failing with the
 * text of Go's error: {@code EOF} for an empty body, {@code unexpected EOF} for a cut value, and the scanner's
 * {@code invalid character 'x' ...} messages. Bytes after the first value are ignored, as the decoder never reads
 * them. Objects keep every member in order (duplicates included) so the caller can apply them as Go does.
 */
final class GoJsonParser {
    /** Go's scanner refuses deeper nesting with this message. */
    static final int MAX_DEPTH = 10_000;

    /** A JSON object: its members in arrival order. */
    record JsonObject(List<Member> members) {
    }

    record Member(String key, Object value) {
    }

    /** A number literal, kept as text (no field here takes a number). */
    record JsonNumber(String text) {
    }

    /** JSON null. */
    enum Null { NULL }

    /** A body Go's decoder rejects before any field is set; the message is Go's error text. */
    static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message, null, false, false);
        }
    }

    private final byte[] in;
    private int pos;
    private int depth;

    private GoJsonParser(byte[] in) {
        this.in = in;
    }

    /** The first value: a {@link JsonObject}, a {@code List<Object>}, a String, a {@link JsonNumber}, a Boolean or
     *  {@link Null#NULL}. */
    static Object parse(byte[] body) throws SyntaxException {
        GoJsonParser p = new GoJsonParser(body);
        p.skipSpace();
        if (p.pos == body.length) {
            throw new SyntaxException("EOF");
        }
        return p.value();
    }

    /** An object or array being read; iterative so that nesting costs heap, not stack. */
    private static final class Open {
        final List<Member> members;
        final List<Object> items;
        String key;

        Open(boolean object) {
            members = object ? new ArrayList<>() : null;
            items = object ? null : new ArrayList<>();
        }
    }

    private Object value() throws SyntaxException {
        ArrayDeque<Open> open = new ArrayDeque<>();
        while (true) {
            Object v = scalarOrOpen(open);
            if (v == null) {
                continue;
            }
            // A value is complete: add it to its container, closing every container that ends after it.
            while (true) {
                Open o = open.peek();
                if (o == null) {
                    return v;
                }
                skipSpace();
                int c;
                if (o.members != null) {
                    o.members.add(new Member(o.key, v));
                    c = next();
                    if (c == ',') {
                        skipSpace();
                        key(o);
                        break;
                    }
                    if (c != '}') {
                        throw invalid(c, "after object key:value pair");
                    }
                    v = new JsonObject(o.members);
                } else {
                    o.items.add(v);
                    c = next();
                    if (c == ',') {
                        skipSpace();
                        break;
                    }
                    if (c != ']') {
                        throw invalid(c, "after array element");
                    }
                    v = o.items;
                }
                open.pop();
                depth--;
            }
        }
    }

    /** A whole scalar or empty container, or null after pushing a container whose first value comes next. */
    private Object scalarOrOpen(ArrayDeque<Open> open) throws SyntaxException {
        int c = next();
        switch (c) {
            case '{' -> {
                enter();
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    depth--;
                    return new JsonObject(List.of());
                }
                Open o = new Open(true);
                key(o);
                open.push(o);
                return null;
            }
            case '[' -> {
                enter();
                skipSpace();
                if (peek() == ']') {
                    pos++;
                    depth--;
                    return List.of();
                }
                open.push(new Open(false));
                return null;
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                return literal("true", Boolean.TRUE);
            }
            case 'f' -> {
                return literal("false", Boolean.FALSE);
            }
            case 'n' -> {
                return literal("null", Null.NULL);
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw invalid(c, "looking for beginning of value");
            }
        }
    }

    /** Reads {@code "key"} and the colon after it, leaving the position at the member's value. */
    private void key(Open o) throws SyntaxException {
        int c = next();
        if (c != '"') {
            throw invalid(c, "looking for beginning of object key string");
        }
        o.key = string();
        skipSpace();
        c = next();
        if (c != ':') {
            throw invalid(c, "after object key");
        }
        skipSpace();
    }

    private void enter() throws SyntaxException {
        if (++depth > MAX_DEPTH) {
            throw new SyntaxException("exceeded max depth");
        }
    }

    private String string() throws SyntaxException {
        StringBuilder out = new StringBuilder();
        int runStart = pos;
        while (true) {
            int c = next();
            if (c == '"') {
                appendUtf8(out, runStart, pos - 1);
                return out.toString();
            }
            if (c < 0x20) {
                throw invalid(c, "in string literal");
            }
            if (c != '\\') {
                continue;
            }
            appendUtf8(out, runStart, pos - 1);
            int e = next();
            switch (e) {
                case '"', '\\', '/' -> out.append((char) e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(unicodeEscape());
                default -> throw invalid(e, "in string escape code");
            }
            runStart = pos;
        }
    }

    private char unicodeEscape() throws SyntaxException {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int h = next();
            int d = Character.digit(h, 16);
            if (d < 0) {
                throw invalid(h, "in \\u hexadecimal character escape");
            }
            v = v << 4 | d;
        }
        return (char) v;
    }

    /** Go replaces invalid UTF-8 with U+FFFD. */
    private void appendUtf8(StringBuilder out, int from, int to) {
        if (to > from) {
            try {
                out.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(in, from, to - from)));
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new AssertionError("a replacing decoder does not throw", e);
            }
        }
    }

    private JsonNumber number() throws SyntaxException {
        int start = pos - 1;
        int c = in[start];
        if (c == '-') {
            c = next();
            if (c < '0' || c > '9') {
                throw invalid(c, "in numeric literal");
            }
        }
        if (c != '0') {
            digits();
        }
        if (peek() == '.') {
            pos++;
            int d = next();
            if (d < '0' || d > '9') {
                throw invalid(d, "after decimal point in numeric literal");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            int d = next();
            if (d == '+' || d == '-') {
                d = next();
            }
            if (d < '0' || d > '9') {
                throw invalid(d, "in exponent of numeric literal");
            }
            digits();
        }
        return new JsonNumber(new String(in, start, pos - start, StandardCharsets.US_ASCII));
    }

    private void digits() {
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
    }

    private Object literal(String word, Object value) throws SyntaxException {
        for (int i = 1; i < word.length(); i++) {
            int c = next();
            if (c != word.charAt(i)) {
                throw invalid(c, "in literal " + word + " (expecting '" + word.charAt(i) + "')");
            }
        }
        return value;
    }

    private void skipSpace() {
        while (pos < in.length && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
            pos++;
        }
    }

    /** The next byte, or -1 at the end. */
    private int peek() {
        return pos < in.length ? in[pos] & 0xFF : -1;
    }

    private int next() throws SyntaxException {
        if (pos >= in.length) {
            throw new SyntaxException("unexpected EOF");
        }
        return in[pos++] & 0xFF;
    }

    private static SyntaxException invalid(int c, String context) {
        return new SyntaxException("invalid character " + quoteChar(c) + " " + context);
    }

    /** Go's quoteChar: the byte as a rune in strconv.Quote form between single quotes. */
    static String quoteChar(int c) {
        if (c == '\'') {
            return "'\\''";
        }
        if (c == '"') {
            return "'\"'";
        }
        String s = switch (c) {
            case 7 -> "\\a";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case 0x0B -> "\\v";
            case '\\' -> "\\\\";
            default -> {
                if (c < 0x20 || c == 0x7F) {
                    yield String.format("\\x%02x", c);
                }
                if ((c >= 0x80 && c <= 0xA0) || c == 0xAD) {
                    yield String.format("\\u%04x", c);
                }
                yield String.valueOf((char) c);
            }
        };
        return "'" + s + "'";
    }
}
