package io.gvproxy.cli.http;

import java.time.Duration;

/**
 * What one client can make the server hold: the request head (request line and headers), a request body, the time
 * a request may take to arrive (including the keep-alive wait before it) and to be answered, and open connections.
 */
public record HttpLimits(int maxHeadBytes, int maxBodyBytes, Duration readTimeout, Duration writeTimeout,
        int maxConnections) {
    /** Upstream's servers use 10 s read and write timeouts; the byte caps are ours (Go's defaults are far larger). */
    public static final HttpLimits DEFAULT = new HttpLimits(16 * 1024, 1024 * 1024, Duration.ofSeconds(10),
            Duration.ofSeconds(10), 64);

    public HttpLimits {
        if (maxHeadBytes < 256 || maxBodyBytes < 0 || maxConnections < 1) {
            throw new IllegalArgumentException("bad HTTP limits");
        }
        if (readTimeout.isNegative() || readTimeout.isZero() || writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("HTTP timeouts must be positive");
        }
    }
}
