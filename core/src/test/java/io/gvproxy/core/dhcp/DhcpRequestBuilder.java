package io.gvproxy.core.dhcp;

import io.gvproxy.core.net.MacAddress;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** Builds client messages the way a DHCP client would put them on the wire. */
final class DhcpRequestBuilder {
    private int op = DhcpMessage.BOOTREQUEST;
    private int htype = 1;
    private int hlen = 6;
    private int xid = 0x1234_5678;
    private int flags;
    private int ciaddr;
    private int giaddr;
    private MacAddress mac;
    private final ByteArrayOutputStream options = new ByteArrayOutputStream();

    DhcpRequestBuilder(int type, MacAddress mac) {
        this.mac = mac;
        option(DhcpOptions.MESSAGE_TYPE, (byte) type);
    }

    static DhcpRequestBuilder of(int type, MacAddress mac) {
        return new DhcpRequestBuilder(type, mac);
    }

    DhcpRequestBuilder op(int v) { op = v; return this; }
    DhcpRequestBuilder htype(int v) { htype = v; return this; }
    DhcpRequestBuilder hlen(int v) { hlen = v; return this; }
    DhcpRequestBuilder xid(int v) { xid = v; return this; }
    DhcpRequestBuilder broadcast() { flags |= DhcpMessage.FLAG_BROADCAST; return this; }
    DhcpRequestBuilder ciaddr(int v) { ciaddr = v; return this; }
    DhcpRequestBuilder giaddr(int v) { giaddr = v; return this; }

    DhcpRequestBuilder option(int code, byte... value) {
        options.write(code);
        options.write(value.length);
        options.write(value, 0, value.length);
        return this;
    }

    DhcpRequestBuilder ipOption(int code, int ip) {
        return option(code, DhcpOptionWriter.int32(ip));
    }

    byte[] bytes() {
        byte[] opts = options.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(DhcpMessage.OPTIONS_OFFSET + opts.length + 1);
        b.put((byte) op).put((byte) htype).put((byte) hlen).put((byte) 0).putInt(xid).putShort((short) 0)
                .putShort((short) flags).putInt(ciaddr).putInt(0).putInt(0).putInt(giaddr).put(mac.toBytes());
        b.position(DhcpMessage.HEADER_LENGTH);
        b.putInt(DhcpMessage.MAGIC_COOKIE).put(opts).put((byte) DhcpOptions.END);
        return b.array();
    }

    MemorySegment segment() {
        return MemorySegment.ofArray(bytes());
    }
}
