package io.gvproxy.core.dns;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * @param nameservers     upstream resolvers, tried in order
 * @param upstreamTimeout how long to wait for one nameserver (per transport) before trying the next
 * @param ttlSeconds      TTL of local answers (upstream uses 0)
 * @param maxInFlight     forwarded queries allowed at once; more are dropped and counted
 */
public record DnsConfig(List<InetSocketAddress> nameservers, Duration upstreamTimeout, int ttlSeconds,
                        int maxInFlight) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_TTL_SECONDS = 60;
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;

    public DnsConfig {
        nameservers = List.copyOf(nameservers);
        if (upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
            throw new IllegalArgumentException("upstream timeout must be positive");
        }
        if (ttlSeconds < 0 || maxInFlight < 1) {
            throw new IllegalArgumentException("ttl must be >= 0 and maxInFlight >= 1");
        }
    }

    public static DnsConfig of(List<InetSocketAddress> nameservers) {
        return new DnsConfig(nameservers, DEFAULT_TIMEOUT, DEFAULT_TTL_SECONDS, DEFAULT_MAX_IN_FLIGHT);
    }

    /** The nameservers of a resolv.conf file (the host's is {@link ResolvConf#DEFAULT_PATH}). */
    public static DnsConfig fromResolvConf(Path resolvConf) {
        return of(ResolvConf.read(resolvConf).nameserverAddresses());
    }

    public DnsConfig withTimeout(Duration timeout) {
        return new DnsConfig(nameservers, timeout, ttlSeconds, maxInFlight);
    }

    public DnsConfig withTtlSeconds(int ttl) {
        return new DnsConfig(nameservers, upstreamTimeout, ttl, maxInFlight);
    }

    public DnsConfig withMaxInFlight(int max) {
        return new DnsConfig(nameservers, upstreamTimeout, ttlSeconds, max);
    }
}
