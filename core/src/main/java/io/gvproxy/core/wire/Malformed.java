package io.gvproxy.core.wire;

import java.util.Locale;

/**
 * Why a view refused its input. Every {@code wrap} method of this package returns {@code null} for input it
 * accepts and one of these reasons otherwise, never throwing, so the caller can count the reason and drop.
 */
public enum Malformed {
    /** Fewer bytes than the fixed header, or than a length field claims. */
    TRUNCATED,
    /** The view's offset or length lies outside the segment handed in. */
    OUT_OF_BOUNDS,
    /** An IP version field that does not match the view (4 for IPv4, 6 for IPv6). */
    BAD_VERSION,
    /** IPv4 IHL under 5 or TCP data offset under 5. */
    BAD_HEADER_LENGTH,
    /** A total/datagram length field smaller than its own header. */
    BAD_TOTAL_LENGTH,
    /** ARP for a hardware or protocol type other than Ethernet/IPv4, or with wrong address sizes. */
    UNSUPPORTED_ADDRESS_TYPE,
    /** A TCP option whose length byte is too small or runs past the option area. */
    BAD_OPTION_LENGTH,
    /** A TCP option of a known kind with a length that kind never has. */
    BAD_OPTION_SIZE;

    private final String counterName = name().toLowerCase(Locale.ROOT);

    /** The reason as a counter name segment, e.g. {@code bad_version} for {@code gateway.ipv4.bad_version}. */
    public String counterName() {
        return counterName;
    }
}
