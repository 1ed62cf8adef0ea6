package io.gvproxy.core.dhcp;

import java.util.OptionalInt;

/** The options of one DHCP message, by code. A code that appears more than once is concatenated (RFC 3396). */
public final class DhcpOptions {
    public static final int PAD = 0;
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DNS_SERVERS = 6;
    public static final int DOMAIN_NAME = 15;
    public static final int INTERFACE_MTU = 26;
    public static final int REQUESTED_IP = 50;
    public static final int LEASE_TIME = 51;
    public static final int OVERLOAD = 52;
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_ID = 54;
    public static final int PARAMETER_REQUEST_LIST = 55;
    public static final int MESSAGE = 56;
    public static final int RENEWAL_TIME = 58;
    public static final int REBINDING_TIME = 59;
    public static final int CLIENT_ID = 61;
    public static final int RELAY_AGENT_INFO = 82;
    public static final int DOMAIN_SEARCH = 119;
    public static final int END = 255;

    private final byte[][] values;

    DhcpOptions(byte[][] values) {
        this.values = values;
    }

    public boolean has(int code) {
        return values[code] != null;
    }

    /** The option's bytes (a copy), or null when absent. */
    public byte[] get(int code) {
        byte[] v = values[code];
        return v == null ? null : v.clone();
    }

    /** The option as one IPv4 address; empty when absent or not exactly four bytes long. */
    public OptionalInt ipv4(int code) {
        byte[] v = values[code];
        if (v == null || v.length != 4) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(((v[0] & 0xFF) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF));
    }

    /** The DHCP message type (option 53), or 0 when absent or malformed (plain BOOTP). */
    public int messageType() {
        byte[] v = values[MESSAGE_TYPE];
        return v == null || v.length != 1 ? 0 : v[0] & 0xFF;
    }
}
