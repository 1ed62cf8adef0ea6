package io.gvproxy.cli.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed request line and header block, validated the way Go's net/http server validates them, with Go's texts
 * for the errors it names (a bare 400 where Go gives no detail).
 */
record RequestHead(String method, String target, String path, String rawQuery, int minorVersion,
        Map<String, List<String>> headers) {

    static RequestHead parse(String head) throws BadRequestException {
        String[] lines = head.split("\n", -1);
        String requestLine = stripCr(lines[0]);
        int sp1 = requestLine.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
        if (sp2 < 0) {
            throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
        }
        String method = requestLine.substring(0, sp1);
        String target = requestLine.substring(sp1 + 1, sp2);
        String proto = requestLine.substring(sp2 + 1);
        if (!isToken(method)) {
            throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
        }
        int minor = minorVersion(proto);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = stripCr(lines[i]);
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            // No obsolete line folding and no space before the colon, as in Go's textproto.
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
            }
            String name = line.substring(0, colon);
            if (!isToken(name)) {
                throw new BadRequestException(HttpStatus.BAD_REQUEST, "invalid header name");
            }
            String value = line.substring(colon + 1).strip();
            if (!isFieldValue(value)) {
                throw new BadRequestException(HttpStatus.BAD_REQUEST, "invalid header value");
            }
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        }
        List<String> hosts = headers.get("host");
        if (hosts != null && hosts.size() > 1) {
            throw new BadRequestException(HttpStatus.BAD_REQUEST, "too many Host headers");
        }
        if (minor >= 1 && hosts == null && !method.equals("CONNECT")) {
            throw new BadRequestException(HttpStatus.BAD_REQUEST, "missing required Host header");
        }
        String pathPart;
        String rawQuery = "";
        if (target.startsWith("/")) {
            pathPart = target;
        } else if (target.startsWith("http://") || target.startsWith("https://")) {
            int slash = target.indexOf('/', target.indexOf("://") + 3);
            pathPart = slash < 0 ? "/" : target.substring(slash);
        } else if (target.equals("*") && method.equals("OPTIONS")) {
            pathPart = "*";
        } else {
            throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
        }
        int q = pathPart.indexOf('?');
        if (q >= 0) {
            rawQuery = pathPart.substring(q + 1);
            pathPart = pathPart.substring(0, q);
        }
        String path = QueryString.decode(pathPart, false);
        if (path == null) {
            throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
        }
        return new RequestHead(method, target, path, rawQuery, minor, headers);
    }

    /** HTTP/1.0 → 0, HTTP/1.1 (and later 1.x) → 1; other majors get Go's 505, anything else 400. */
    private static int minorVersion(String proto) throws BadRequestException {
        if (proto.equals("HTTP/1.1")) {
            return 1;
        }
        if (proto.equals("HTTP/1.0")) {
            return 0;
        }
        if (proto.length() == 8 && proto.startsWith("HTTP/") && Character.isDigit(proto.charAt(5))
                && proto.charAt(6) == '.' && Character.isDigit(proto.charAt(7))) {
            if (proto.charAt(5) != '1') {
                throw new BadRequestException(HttpStatus.VERSION_NOT_SUPPORTED, "unsupported protocol version");
            }
            return 1;
        }
        throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
    }

    List<String> all(String lowerName) {
        return headers.getOrDefault(lowerName, List.of());
    }

    /** Whether a comma-separated header (Connection, Transfer-Encoding) lists {@code token}. */
    boolean hasToken(String lowerName, String token) {
        for (String v : all(lowerName)) {
            for (String part : v.split(",")) {
                if (part.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFieldValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return false;
            }
        }
        return true;
    }
}
