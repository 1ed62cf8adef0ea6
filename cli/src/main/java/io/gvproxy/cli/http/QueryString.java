package io.gvproxy.cli.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Percent-decoding for request paths and query strings (Go's url.PathUnescape and url.QueryUnescape). */
final class QueryString {
    private QueryString() {
    }

    /** Go's url.Values.Get on url.ParseQuery: pairs split on '&', the first pair with that decoded key wins. */
    static String first(String rawQuery, String name) {
        if (rawQuery.isEmpty()) {
            return "";
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            if (name.equals(key)) {
                String value = decode(eq < 0 ? "" : pair.substring(eq + 1), true);
                return value == null ? "" : value;
            }
        }
        return "";
    }

    /** Decodes %XX (and '+' as space in query mode); null on a bad escape, as Go reports an error there. */
    static String decode(String s, boolean query) {
        if (s.indexOf('%') < 0 && (!query || s.indexOf('+') < 0)) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && query) {
                out.write(' ');
            } else {
                // The head is read as ISO-8859-1, so every char here is one byte of the request.
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
