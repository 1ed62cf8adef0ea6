package io.gvproxy.core.tcp;

/**
 * Initial sequence numbers per RFC 6528: ISN = M + F(4-tuple, secret), where M is a 4-microsecond tick of the
 * caller's clock and F is SipHash-2-4 keyed with a 128-bit secret. The key and the clock value are passed in,
 * so a fixed key and clock give reproducible numbers in tests; production passes a random key.
 */
public final class IsnGenerator {
    private static final long TICK_NANOS = 4_000;
    private final long k0;
    private final long k1;

    public IsnGenerator(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** Addresses are IPv4 as int, ports 0..65535. */
    public int isn(int localAddress, int localPort, int remoteAddress, int remotePort, long nowNanos) {
        long addresses = ((long) localAddress << 32) | (remoteAddress & 0xFFFF_FFFFL);
        long ports = ((long) (localPort & 0xFFFF) << 16) | (remotePort & 0xFFFF);
        long f = SipHash.hash(k0, k1, addresses, ports);
        long m = Math.floorDiv(nowNanos, TICK_NANOS);
        return (int) (m + f);
    }
}
