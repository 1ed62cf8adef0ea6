package io.gvproxy.core.gateway;

/**
 * Told of every well-formed ARP reply that reaches the gateway, so that an address resolver (the gateway has no
 * ARP client of its own) can learn the MAC of a guest it wants to open a connection to.
 */
@FunctionalInterface
public interface ArpReplyListener {
    /** Runs on the frame-delivering thread: must return quickly and not throw. */
    void onArpReply(int senderIp, long senderMac);
}
