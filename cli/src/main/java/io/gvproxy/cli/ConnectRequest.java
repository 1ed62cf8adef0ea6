package io.gvproxy.cli;

import java.nio.charset.StandardCharsets;

/**
 * The request gvforwarder writes before its frames: exactly what Go's {@code http.NewRequest("POST", path, nil)}
 * followed by {@code req.Write(conn)} puts on the wire (an empty Host, Go's default User-Agent, and Content-Length 0,
 * which Go always sends for a body-less POST). No response is read: gvproxy answers with frames, not a status line.
 */
public final class ConnectRequest {
    /** Go's net/http defaultUserAgent. */
    static final String GO_USER_AGENT = "Go-http-client/1.1";

    private ConnectRequest() {
    }

    public static byte[] bytes(String path) {
        return bytes(path, false);
    }

    /**
     * As {@link #bytes(String)}, with the {@link LargeSegmentOffer} header when {@code offerLargeSegments}; Go writes
     * headers of its own other than Host, User-Agent and Content-Length after those, so this one goes last.
     */
    public static byte[] bytes(String path, boolean offerLargeSegments) {
        if (path.isEmpty() || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("request path must be non-empty printable ASCII without spaces: " + path);
        }
        String request = "POST " + path + " HTTP/1.1\r\n"
                + "Host: \r\n"
                + "User-Agent: " + GO_USER_AGENT + "\r\n"
                + "Content-Length: 0\r\n"
                + (offerLargeSegments ? LargeSegmentOffer.HEADER + ": " + LargeSegmentOffer.VALUE + "\r\n" : "")
                + "\r\n";
        return request.getBytes(StandardCharsets.US_ASCII);
    }
}
