package io.gvproxy.core.dhcp;

/** Values of option 53 (RFC 2132 §9.6). */
public final class DhcpMessageType {
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    private DhcpMessageType() {
    }
}
