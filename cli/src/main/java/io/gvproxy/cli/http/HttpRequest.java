package io.gvproxy.cli.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed request. {@code path} is percent-decoded; {@code rawQuery} is the text after '?' (empty if none);
 * {@code headers} are keyed by lower-case name, values in arrival order; {@code minorVersion} is 0 or 1 (HTTP/1.x);
 * {@code body} is empty for routes that take over the connection instead of reading a body.
 */
public record HttpRequest(String method, String target, String path, String rawQuery, int minorVersion,
        Map<String, List<String>> headers, byte[] body, String peer) {

    public HttpRequest {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    /** The first value of a query parameter, decoded like Go's url.Values.Get: "" when absent or undecodable. */
    public String queryParameter(String name) {
        return QueryString.first(rawQuery, name);
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }
}
