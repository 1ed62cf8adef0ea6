package io.gvproxy.cli;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A parsed listen address: {@code unix:///path}, {@code unixpacket:///path}, {@code unixgram:///path} (a socket file),
 * {@code tcp://host:port} (host may be empty for all interfaces, or a bracketed IPv6 literal) or
 * {@code vsock://[cid]:port}.
 *
 * <p>Socket-file URLs must carry an absolute path: Go's url.Parse would read {@code unix://dir/x.sock} as host
 * "dir" and path "/x.sock" and silently bind the wrong file, so such URLs are rejected instead.
 */
public record ListenUrl(Scheme scheme, Path path, String host, int port) {
    public enum Scheme {
        UNIX("unix"), UNIXPACKET("unixpacket"), UNIXGRAM("unixgram"), TCP("tcp"), VSOCK("vsock");

        public final String text;

        Scheme(String text) {
            this.text = text;
        }

        boolean isFile() {
            return this == UNIX || this == UNIXPACKET || this == UNIXGRAM;
        }
    }

    public ListenUrl {
        Objects.requireNonNull(scheme);
        if (scheme.isFile() != (path != null)) {
            throw new IllegalArgumentException("a " + scheme.text + " URL " + (path == null ? "needs" : "has no") + " path");
        }
    }

    public static ListenUrl parse(String text) {
        int sep = text.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException("invalid URL " + GoQuote.quote(text) + ": missing scheme://");
        }
        String schemeText = text.substring(0, sep);
        String rest = text.substring(sep + 3);
        Scheme scheme = null;
        for (Scheme s : Scheme.values()) {
            if (s.text.equals(schemeText)) {
                scheme = s;
            }
        }
        if (scheme == null) {
            throw new IllegalArgumentException("unexpected scheme " + GoQuote.quote(schemeText) + " in " + text);
        }
        if (scheme.isFile()) {
            if (!rest.startsWith("/") || rest.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid URL " + GoQuote.quote(text)
                        + ": expected " + scheme.text + ":///absolute/path");
            }
            return new ListenUrl(scheme, Path.of(rest), null, 0);
        }
        int colon = rest.lastIndexOf(':');
        if (colon < 0 || rest.indexOf('/') >= 0) {
            throw new IllegalArgumentException("invalid URL " + GoQuote.quote(text) + ": expected "
                    + scheme.text + "://host:port");
        }
        String host = rest.substring(0, colon);
        if (host.startsWith("[") != host.endsWith("]") || (!host.startsWith("[") && host.indexOf(':') >= 0)) {
            throw new IllegalArgumentException("invalid URL " + GoQuote.quote(text) + ": bad host " + GoQuote.quote(host));
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        String portText = rest.substring(colon + 1);
        long limit = scheme == Scheme.VSOCK ? 0xFFFF_FFFFL : 65535;
        long port = -1;
        if (!portText.isEmpty() && portText.length() <= 10 && portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            port = Long.parseLong(portText);
        }
        if (port < 0 || port > limit) {
            throw new IllegalArgumentException("invalid URL " + GoQuote.quote(text) + ": bad port " + GoQuote.quote(portText));
        }
        return new ListenUrl(scheme, null, host, (int) port);
    }

    public boolean isUnixFile() {
        return scheme.isFile();
    }

    @Override
    public String toString() {
        if (scheme.isFile()) {
            return scheme.text + "://" + path;
        }
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme.text + "://" + h + ":" + Integer.toUnsignedString(port);
    }
}
