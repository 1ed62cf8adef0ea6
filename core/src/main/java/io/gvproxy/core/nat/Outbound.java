package io.gvproxy.core.nat;

/** Verdicts of {@link NatConfig#route} besides an address (which is always non-negative as a long). */
final class Outbound {
    static final long BLOCKED_LINK_LOCAL = -1;
    static final long DENIED = -2;

    private Outbound() {
    }
}
