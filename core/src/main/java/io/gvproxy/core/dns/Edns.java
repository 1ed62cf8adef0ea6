package io.gvproxy.core.dns;

/** What a message's OPT pseudo-record (RFC 6891) said. */
public record Edns(int udpPayloadSize, int extendedRcode, int version, boolean dnssecOk) {
}
