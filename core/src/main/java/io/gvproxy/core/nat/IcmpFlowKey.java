package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4;

/** A guest echo flow: the guest, its echo identifier and the address it pings (before NAT). */
record IcmpFlowKey(int guestIp, int identifier, int destinationIp) {
    @Override
    public String toString() {
        return Ipv4.toString(guestIp) + "#" + identifier + "->" + Ipv4.toString(destinationIp);
    }
}
