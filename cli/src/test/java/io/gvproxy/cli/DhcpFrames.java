package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.wire.EthernetFrame;
import io.gvproxy.core.wire.Ipv4Packet;
import io.gvproxy.core.wire.UdpDatagram;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/** Test frames: a client's DHCP DISCOVER and REQUEST as broadcasts, and the address an OFFER or ACK carries. */
final class DhcpFrames {
    static final int DISCOVER = 1;
    static final int OFFER = 2;
    static final int REQUEST = 3;
    static final int ACK = 5;
    private static final int BOOTP_LENGTH = 240;
    private static final int HEADERS = EthernetFrame.HEADER_LENGTH + 20 + UdpDatagram.HEADER_LENGTH;

    private DhcpFrames() {
    }

    /** A broadcast DHCP message of {@code type} from {@code mac}; REQUEST carries {@code requested} and the
     *  server id (SELECTING state). */
    static byte[] message(MacAddress mac, int xid, int type, int requested, int serverId) {
        ByteBuffer p = ByteBuffer.allocate(BOOTP_LENGTH + 20);
        p.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0)
                .putShort((short) 0x8000);
        p.position(28);
        byte[] chaddr = new byte[6];
        MacAddress.write(MemorySegment.ofArray(chaddr), 0, mac.bits());
        p.put(chaddr);
        p.position(236);
        p.putInt(0x63825363);
        p.put((byte) 53).put((byte) 1).put((byte) type);
        if (type == REQUEST) {
            p.put((byte) 50).put((byte) 4).putInt(requested);
            p.put((byte) 54).put((byte) 4).putInt(serverId);
        }
        p.put((byte) 255);
        int payloadLength = p.position();
        byte[] frame = new byte[HEADERS + payloadLength];
        MemorySegment seg = MemorySegment.ofArray(frame);
        MemorySegment.copy(p.array(), 0, seg, ValueLayout.JAVA_BYTE, HEADERS, payloadLength);
        EthernetFrame.writeHeader(seg, 0, MacAddress.BROADCAST.bits(), mac.bits(), 0x0800);
        Ipv4Packet.writeHeader(seg, EthernetFrame.HEADER_LENGTH, 0, 20 + UdpDatagram.HEADER_LENGTH + payloadLength,
                xid & 0xFFFF, 0, 0, 64, 17, 0, 0xFFFF_FFFF);
        UdpDatagram.write(seg, EthernetFrame.HEADER_LENGTH + 20, 68, 67, payloadLength, 0, 0xFFFF_FFFF);
        return frame;
    }

    /** The address (yiaddr) of a server reply, checking its DHCP message type. */
    static int yourAddress(byte[] frame, int expectedType) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertEquals(0x0800, Short.toUnsignedInt(b.getShort(12)), "IPv4");
        assertEquals(67, Short.toUnsignedInt(b.getShort(HEADERS - 8)), "from the DHCP server port");
        int options = HEADERS + BOOTP_LENGTH;
        int type = 0;
        for (int i = options; i + 1 < frame.length && frame[i] != (byte) 255; i += 2 + (frame[i + 1] & 0xFF)) {
            if (frame[i] == 53) {
                type = frame[i + 2];
            }
        }
        assertEquals(expectedType, type, "DHCP message type");
        return b.getInt(HEADERS + 16);
    }
}
