package io.gvproxy.core.dhcp;

import io.gvproxy.core.net.MacAddress;

import java.lang.foreign.MemorySegment;

/**
 * A reply to send from the gateway's UDP port 67.
 *
 * @param payload        the UDP payload
 * @param delivery       how RFC 2131 §4.1 says to address it
 * @param destinationIp  255.255.255.255, the client's yiaddr/ciaddr, or the relay's giaddr
 * @param destinationPort 68 to a client, 67 to a relay
 * @param destinationMac ff:ff:ff:ff:ff:ff, the client's chaddr (do not ARP: the client may not have its
 *                       address yet), or null for {@link Delivery#RELAY} (resolve the relay's MAC as usual)
 */
public record DhcpReply(MemorySegment payload, Delivery delivery, int destinationIp, int destinationPort,
                        MacAddress destinationMac) {
    public static final int CLIENT_PORT = 68;
    public static final int SERVER_PORT = 67;

    public enum Delivery {
        /** Ethernet and IP broadcast. */
        BROADCAST,
        /** IP unicast to destinationIp, Ethernet unicast to the client's hardware address. */
        UNICAST,
        /** IP unicast to the relay agent at destinationIp, port 67. */
        RELAY
    }
}
