package io.gvproxy.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * gvforwarder's {@code -url}: where the guest's frames go. {@link #connectPath()} is the path of the raw
 * {@code POST} written before the frames, or empty for none.
 */
public sealed interface ForwarderUrl {
    String connectPath();

    /** {@code vsock://CID:PORT[/PATH]}: upstream POSTs the URL's path, and nothing when it has none. */
    record Vsock(long cid, long port, String connectPath) implements ForwarderUrl {
    }

    /** {@code unix:///PATH}: always {@code POST /connect}, as upstream. */
    record Unix(Path socket) implements ForwarderUrl {
        @Override
        public String connectPath() {
            return "/connect";
        }
    }

    /**
     * {@code stdio:/path/to/exe?k=v&...}: the executable runs with arguments {@code -k=v} (in query order; upstream's
     * order is random) and the frames go over its stdin and stdout with no POST.
     */
    record Stdio(Path executable, List<String> arguments) implements ForwarderUrl {
        public Stdio {
            arguments = List.copyOf(arguments);
        }

        @Override
        public String connectPath() {
            return "";
        }
    }

    /** Parses {@code url}; the message of the exception says what is wrong with it. */
    static ForwarderUrl parse(String url) throws FlagException {
        int colon = url.indexOf(':');
        String scheme = colon < 0 ? "" : url.substring(0, colon);
        String rest = colon < 0 ? url : url.substring(colon + 1);
        return switch (scheme) {
            case "vsock" -> vsock(url, authorityAndPath(url, rest));
            case "unix" -> unix(url, authorityAndPath(url, rest));
            case "stdio" -> stdio(url, rest);
            default -> throw bad(url, "unexpected scheme (want vsock://, unix:// or stdio:)");
        };
    }

    private static String[] authorityAndPath(String url, String rest) throws FlagException {
        if (!rest.startsWith("//")) {
            throw bad(url, "missing //");
        }
        String hierarchy = rest.substring(2);
        int q = indexOfAny(hierarchy, "?#");
        if (q >= 0) {
            hierarchy = hierarchy.substring(0, q);
        }
        int slash = hierarchy.indexOf('/');
        return slash < 0 ? new String[] {hierarchy, ""}
                : new String[] {hierarchy.substring(0, slash), hierarchy.substring(slash)};
    }

    private static ForwarderUrl vsock(String url, String[] parts) throws FlagException {
        String authority = parts[0];
        int colon = authority.lastIndexOf(':');
        if (colon < 0) {
            throw bad(url, "want vsock://CID:PORT");
        }
        long cid = uint32(url, "CID", authority.substring(0, colon));
        long port = uint32(url, "port", authority.substring(colon + 1));
        return new Vsock(cid, port, decodePath(url, parts[1]));
    }

    private static ForwarderUrl unix(String url, String[] parts) throws FlagException {
        String path = decodePath(url, parts[1]);
        if (!parts[0].isEmpty() || path.isEmpty()) {
            throw bad(url, "want unix:///absolute/path");
        }
        return new Unix(Path.of(path));
    }

    private static ForwarderUrl stdio(String url, String rest) throws FlagException {
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        int q = rest.indexOf('?');
        String path = decodePath(url, q < 0 ? rest : rest.substring(0, q));
        if (path.isEmpty()) {
            throw bad(url, "want stdio:/path/to/executable[?key=value&...]");
        }
        List<String> args = new ArrayList<>();
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decodeQuery(url, eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decodeQuery(url, pair.substring(eq + 1));
                args.add("-" + key + "=" + value);
            }
        }
        return new Stdio(Path.of(path), args);
    }

    private static long uint32(String url, String what, String s) throws FlagException {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(url, what + " " + GoQuote.quote(s) + " is not a decimal number");
        }
        long v = Long.parseLong(s);
        if (v > 0xFFFF_FFFFL) {
            throw bad(url, what + " " + s + " is out of range");
        }
        return v;
    }

    private static String decodePath(String url, String s) throws FlagException {
        // A path keeps '+' (only query values turn it into a space), as Go's url.PathUnescape.
        return decodeQuery(url, s.replace("+", "%2B"));
    }

    private static String decodeQuery(String url, String s) throws FlagException {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw bad(url, "invalid escape: " + e.getMessage());
        }
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static FlagException bad(String url, String why) {
        return new FlagException("invalid value " + GoQuote.quote(url) + " for flag -url: " + why);
    }
}
