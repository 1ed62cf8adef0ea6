package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Test frames: an ARP request for the gateway and the check of its reply. */
final class ArpFrames {
    static final byte[] GUEST_MAC = {0x02, 0, 0, 0, 0, 0x01};
    static final String GUEST_MAC_TEXT = "02:00:00:00:00:01";
    static final byte[] GATEWAY_MAC = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xdd};
    static final byte[] GUEST_IP = {(byte) 192, (byte) 168, 127, 2};
    static final byte[] GATEWAY_IP = {(byte) 192, (byte) 168, 127, 1};
    static final int LENGTH = 42;

    private ArpFrames() {
    }

    static byte[] requestForGateway() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(GUEST_MAC).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(GUEST_MAC).put(GUEST_IP).put(new byte[6]).put(GATEWAY_IP);
        return b.array();
    }

    /** Prefixes a frame as HyperKit (2-byte LE) or QEMU (4-byte BE) framing does. */
    static byte[] framed(byte[] frame, boolean qemu) {
        ByteBuffer b = ByteBuffer.allocate(frame.length + (qemu ? 4 : 2));
        if (qemu) {
            b.putInt(frame.length);
        } else {
            b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) frame.length);
        }
        return b.put(frame).array();
    }

    static int lengthOf(byte[] prefix, boolean qemu) {
        ByteBuffer b = ByteBuffer.wrap(prefix);
        return qemu ? b.getInt() : Short.toUnsignedInt(b.order(ByteOrder.LITTLE_ENDIAN).getShort());
    }

    static void assertReplyFromGateway(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        byte[] dst = new byte[6];
        byte[] src = new byte[6];
        b.get(dst).get(src);
        assertEquals(ByteBuffer.wrap(GUEST_MAC), ByteBuffer.wrap(dst), "to the guest");
        assertEquals(ByteBuffer.wrap(GATEWAY_MAC), ByteBuffer.wrap(src), "from the gateway");
        assertEquals(0x0806, Short.toUnsignedInt(b.getShort()));
        b.position(20);
        assertEquals(2, b.getShort(), "ARP reply");
        byte[] sha = new byte[6];
        byte[] spa = new byte[4];
        b.get(sha).get(spa);
        assertEquals(ByteBuffer.wrap(GATEWAY_MAC), ByteBuffer.wrap(sha));
        assertEquals(ByteBuffer.wrap(GATEWAY_IP), ByteBuffer.wrap(spa));
    }
}
