package io.gvproxy.cli.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a handler answers: a status, headers and a body, or a {@link #hijack hijack} that hands the raw connection to
 * a {@link RawConnectionHandler} without any status line (upstream's {@code /connect} and {@code /tunnel}).
 */
public final class HttpResponse {
    /** Go's content sniffing labels JSON and plain text like this; upstream never sets a Content-Type itself. */
    public static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    private final int status;
    private final Map<String, String> headers;
    private final byte[] body;
    private final RawConnectionHandler hijacker;

    private HttpResponse(int status, Map<String, String> headers, byte[] body, RawConnectionHandler hijacker) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.hijacker = hijacker;
    }

    /** A body as upstream's handlers write it: no Content-Type set, so Go sniffs text/plain for JSON and text. */
    public static HttpResponse ok(byte[] body) {
        Map<String, String> h = new LinkedHashMap<>();
        if (body.length > 0) {
            h.put("Content-Type", TEXT_PLAIN);
        }
        return new HttpResponse(HttpStatus.OK, h, body, null);
    }

    /** Go's http.Error: the message and a newline as text/plain, with nosniff. */
    public static HttpResponse error(int status, String message) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", TEXT_PLAIN);
        h.put("X-Content-Type-Options", "nosniff");
        return new HttpResponse(status, h, (message + "\n").getBytes(StandardCharsets.UTF_8), null);
    }

    /** Go's http.NotFound, which its ServeMux sends for unknown paths. */
    public static HttpResponse notFound() {
        return error(HttpStatus.NOT_FOUND, "404 page not found");
    }

    /** Go 1.22's ServeMux answer when a path exists but not for this method. */
    public static HttpResponse methodNotAllowed(String allow) {
        HttpResponse r = error(HttpStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
        r.headers.put("Allow", allow);
        return r;
    }

    /** Sends nothing and gives the connection to {@code handler}. */
    public static HttpResponse hijack(RawConnectionHandler handler) {
        return new HttpResponse(0, Map.of(), new byte[0], Objects.requireNonNull(handler));
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    public boolean isHijack() {
        return hijacker != null;
    }

    RawConnectionHandler hijacker() {
        return hijacker;
    }
}
