package io.gvproxy.core.dhcp;

import io.gvproxy.core.net.MacAddress;

/** An address bound to a MAC. A static lease is permanent and its expiry is {@link Long#MAX_VALUE}. */
public record Lease(int ip, MacAddress mac, long expiresAtMillis, boolean permanent) {
}
