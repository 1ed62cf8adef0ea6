package io.gvproxy.cli.http.api;

/** Strings as Go's json.Encoder writes them (HTML-safe: {@code <}, {@code >} and {@code &} are escaped). */
final class GoJsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoJsonWriter() {
    }

    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '<', '>', '&', '\u2028', '\u2029' -> unicode(b, c);
                default -> {
                    if (c < 0x20) {
                        unicode(b, c);
                    } else if (Character.isSurrogate(c)) {
                        // A pair is one code point; a lone surrogate is invalid UTF-8 in Go, written as U+FFFD.
                        if (Character.isHighSurrogate(c) && i + 1 < s.length()
                                && Character.isLowSurrogate(s.charAt(i + 1))) {
                            b.append(c).append(s.charAt(++i));
                        } else {
                            b.append("\\ufffd");
                        }
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static void unicode(StringBuilder b, char c) {
        b.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
                .append(HEX[c & 0xF]);
    }
}
