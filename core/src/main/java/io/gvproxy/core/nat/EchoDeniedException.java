package io.gvproxy.core.nat;

import java.io.IOException;

/**
 * The host refuses this process unprivileged ICMP echo sockets. Distinct from other failures because it is a
 * setting, not a fault: it stays until an administrator changes it, and the NAT then answers no forwarded ping
 * (it never fakes a reply).
 */
public class EchoDeniedException extends IOException {
    public EchoDeniedException(String message) {
        super(message);
    }
}
