package io.gvproxy.core.dns;

/**
 * Receives the response to one query: at most once, on the caller's thread for local answers or on a virtual
 * thread for forwarded ones. The array is the caller's to keep.
 */
@FunctionalInterface
public interface DnsResponder {
    void respond(byte[] response);
}
