package io.gvproxy.core.wire;

import io.gvproxy.core.net.MacAddress;

import java.lang.foreign.MemorySegment;

/** An ARP packet for Ethernet hardware and IPv4 protocol addresses (RFC 826), the only kind accepted. */
public final class ArpPacket extends WireView {
    public static final int LENGTH = 28;
    public static final int HARDWARE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    @Override
    Malformed validate() {
        if (length < LENGTH) {
            return Malformed.TRUNCATED;
        }
        if (u16(0) != HARDWARE_ETHERNET || u16(2) != EtherType.IPV4 || u8(4) != 6 || u8(5) != 4) {
            return Malformed.UNSUPPORTED_ADDRESS_TYPE;
        }
        return null;
    }

    public int hardwareType() {
        return u16(0);
    }

    public int protocolType() {
        return u16(2);
    }

    public int operation() {
        return u16(6);
    }

    public long senderHardwareAddress() {
        return MacAddress.read(seg, base + 8);
    }

    public int senderProtocolAddress() {
        return i32(14);
    }

    public long targetHardwareAddress() {
        return MacAddress.read(seg, base + 18);
    }

    public int targetProtocolAddress() {
        return i32(24);
    }

    /** A request announcing the sender's own address (sender IP = target IP), which expects no answer. */
    public boolean isGratuitous() {
        return senderProtocolAddress() == targetProtocolAddress();
    }

    /** Writes a 28-byte Ethernet/IPv4 ARP packet at {@code offset}; returns the offset after it. */
    public static long write(MemorySegment seg, long offset, int operation, long senderMac, int senderIp,
                             long targetMac, int targetIp) {
        put16(seg, offset, HARDWARE_ETHERNET);
        put16(seg, offset + 2, EtherType.IPV4);
        put8(seg, offset + 4, 6);
        put8(seg, offset + 5, 4);
        put16(seg, offset + 6, operation);
        MacAddress.write(seg, offset + 8, senderMac);
        put32(seg, offset + 14, senderIp);
        MacAddress.write(seg, offset + 18, targetMac);
        put32(seg, offset + 24, targetIp);
        return offset + LENGTH;
    }
}
