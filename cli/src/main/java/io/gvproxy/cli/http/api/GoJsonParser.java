package io.gvproxy.cli.http.api;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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

    private Object value() throws SyntaxException {
        int c = next();
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", Null.NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw invalid(c, "looking for beginning of value");
            }
        };
    }

    private JsonObject object() throws SyntaxException {
        enter();
        List<Member> members = new ArrayList<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            depth--;
            return new JsonObject(members);
        }
        while (true) {
            int c = next();
            if (c != '"') {
                throw invalid(c, "looking for beginning of object key string");
            }
            String key = string();
            skipSpace();
            c = next();
            if (c != ':') {
                throw invalid(c, "after object key");
            }
            skipSpace();
            members.add(new Member(key, value()));
            skipSpace();
            c = next();
            if (c == '}') {
                depth--;
                return new JsonObject(members);
            }
            if (c != ',') {
                throw invalid(c, "after object key:value pair");
            }
            skipSpace();
        }
    }

    private List<Object> array() throws SyntaxException {
        enter();
        List<Object> items = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            depth--;
            return items;
        }
        while (true) {
            skipSpace();
            items.add(value());
            skipSpace();
            int c = next();
            if (c == ']') {
                depth--;
                return items;
            }
            if (c != ',') {
                throw invalid(c, "after array element");
            }
        }
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
