package io.gvproxy.core.nat;

import java.io.IOException;

/** Opens {@link EchoSocket}s; the NAT opens one per guest echo flow. */
@FunctionalInterface
public interface EchoSocketFactory {
    /**
     * @throws EchoDeniedException when the host does not let this process send echo requests at all (on Linux:
     *                             its group is outside {@code net.ipv4.ping_group_range})
     * @throws IOException         on any other failure (descriptor limit, no memory)
     */
    EchoSocket open() throws IOException;
}
