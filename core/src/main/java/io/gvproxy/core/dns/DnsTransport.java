package io.gvproxy.core.dns;

/** How a query reached the server, which decides the response size limit. */
public enum DnsTransport {
    /** Limited to the client's EDNS0 payload size, or 512 bytes without EDNS0; larger answers are truncated. */
    UDP,
    /** Up to 65535 bytes; the caller adds the two-byte length prefix. */
    TCP
}
