package io.gvproxy.core.udp;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.wire.EtherType;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.IpProtocol;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guest-side frames (DHCP and DNS over UDP) and a checked parse of the gateway's replies. */
final class UdpFrames {
    static final MacAddress GUEST_MAC = MacAddress.parse("5a:94:ef:e4:0c:ee");
    static final MacAddress OTHER_MAC = MacAddress.parse("02:00:00:00:00:42");
    static final MacAddress GATEWAY_MAC = MacAddress.parse("5a:94:ef:e4:0c:dd");
    static final int GATEWAY = Ipv4.parse("192.168.127.1");
    static final int GUEST = Ipv4.parse("192.168.127.2");
    static final int HOST = Ipv4.parse("192.168.127.254");
    static final int BROADCAST = -1;
    static final int MAGIC_COOKIE = 0x63825363;

    private UdpFrames() {
    }

    /** An Ethernet+IPv4+UDP frame with valid checksums. */
    static byte[] udp(MacAddress src, MacAddress dst, int srcIp, int dstIp, int srcPort, int dstPort, byte[] payload) {
        int len = 42 + payload.length;
        MemorySegment s = MemorySegment.ofArray(new byte[len]);
        long ipAt = EthernetFrame.writeHeader(s, 0, dst.bits(), src.bits(), EtherType.IPV4);
        MemorySegment.copy(payload, 0, s, ValueLayout.JAVA_BYTE, 42, payload.length);
        UdpDatagram.write(s, 34, srcPort, dstPort, payload.length, srcIp, dstIp);
        Ipv4Packet.writeHeader(s, ipAt, 0, 28 + payload.length, 1, 0, 0, 64, IpProtocol.UDP, srcIp, dstIp);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    /** A BOOTREQUEST with options {@code type} (53), then {@code extra} (code, value, ...) and a parameter list. */
    static byte[] dhcp(int type, MacAddress mac, int xid, boolean broadcastFlag, int ciaddr, int giaddr,
                       Object... extra) {
        ByteArrayOutputStream opts = new ByteArrayOutputStream();
        opts.write(53);
        opts.write(1);
        opts.write(type);
        for (int i = 0; i < extra.length; i += 2) {
            byte[] v = (byte[]) extra[i + 1];
            opts.write((Integer) extra[i]);
            opts.write(v.length);
            opts.writeBytes(v);
        }
        opts.writeBytes(new byte[] {55, 6, 1, 3, 6, 26, 51, 119});
        opts.write(255);
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0)
                .putShort((short) (broadcastFlag ? 0x8000 : 0)).putInt(ciaddr).putInt(0).putInt(0).putInt(giaddr)
                .put(mac.toBytes());
        b.position(236);
        b.putInt(MAGIC_COOKIE).put(opts.toByteArray());
        return b.array();
    }

    static byte[] ip(int address) {
        return ByteBuffer.allocate(4).putInt(address).array();
    }

    /** A recursive query for one name, class IN, without EDNS. */
    static byte[] dnsQuery(int id, String name, int type) {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.writeBytes(new byte[] {(byte) (id >>> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            q.write(l.length);
            q.writeBytes(l);
        }
        q.writeBytes(new byte[] {0, (byte) (type >>> 8), (byte) type, 0, 1});
        return q.toByteArray();
    }

    /** A reply frame whose headers and checksums have been verified. */
    record Reply(long dstMac, long srcMac, int srcIp, int dstIp, int srcPort, int dstPort, byte[] payload) {
        /** DHCP options by code (the fixed header is 240 bytes with the cookie). */
        Map<Integer, byte[]> dhcpOptions() {
            assertEquals(MAGIC_COOKIE, ByteBuffer.wrap(payload).getInt(236), "magic cookie");
            Map<Integer, byte[]> out = new LinkedHashMap<>();
            int at = 240;
            while (at < payload.length && (payload[at] & 0xFF) != 255) {
                int code = payload[at] & 0xFF;
                if (code == 0) {
                    at++;
                    continue;
                }
                int len = payload[at + 1] & 0xFF;
                byte[] v = new byte[len];
                System.arraycopy(payload, at + 2, v, 0, len);
                out.put(code, v);
                at += 2 + len;
            }
            return out;
        }

        int dhcpType() {
            return dhcpOptions().get(53)[0];
        }

        int yiaddr() {
            return ByteBuffer.wrap(payload).getInt(16);
        }

        int flags() {
            return ByteBuffer.wrap(payload).getShort(10) & 0xFFFF;
        }
    }

    /** Parses an unfragmented Ethernet+IPv4+UDP frame and checks both checksums and every length field. */
    static Reply parse(byte[] frame) {
        MemorySegment s = MemorySegment.ofArray(frame);
        EthernetFrame eth = new EthernetFrame();
        assertNull(eth.wrap(s, 0, frame.length), "ethernet");
        assertEquals(EtherType.IPV4, eth.etherType(), "ethertype");
        Ipv4Packet ip = new Ipv4Packet();
        assertNull(ip.wrap(s, eth.payloadOffset(), eth.payloadLength()), "ipv4");
        assertEquals(frame.length - 14, ip.totalLength(), "IP total length = frame without Ethernet header");
        assertTrue(ip.headerChecksumValid(), "IPv4 header checksum");
        assertEquals(IpProtocol.UDP, ip.protocol(), "protocol");
        assertTrue(ip.ttl() > 0, "ttl");
        assertEquals(false, ip.isFragment(), "fragment");
        UdpDatagram udp = new UdpDatagram();
        assertNull(udp.wrap(s, ip.payloadOffset(), ip.payloadLength()), "udp");
        assertEquals(ip.payloadLength(), udp.datagramLength(), "UDP length = IP payload");
        assertTrue(udp.checksum() != 0, "UDP checksum present");
        assertTrue(udp.checksumValid(ip.sourceAddress(), ip.destinationAddress()), "UDP checksum");
        byte[] payload = s.asSlice(udp.payloadOffset(), udp.payloadLength()).toArray(ValueLayout.JAVA_BYTE);
        return new Reply(eth.destination(), eth.source(), ip.sourceAddress(), ip.destinationAddress(),
                udp.sourcePort(), udp.destinationPort(), payload);
    }
}
