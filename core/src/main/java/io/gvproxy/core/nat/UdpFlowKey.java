package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4;

/** A guest UDP 4-tuple: guest address and port, and the destination the guest wrote to (before NAT). */
record UdpFlowKey(int guestIp, int guestPort, int destinationIp, int destinationPort) {
    @Override
    public String toString() {
        return Ipv4.toString(guestIp) + ":" + guestPort + "->" + Ipv4.toString(destinationIp) + ":" + destinationPort;
    }
}
