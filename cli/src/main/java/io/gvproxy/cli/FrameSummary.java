package io.gvproxy.cli;

import io.gvproxy.core.net.MacAddress;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** One line per frame for -debug (upstream dumps each frame with gopacket): direction, length, MACs, EtherType. */
final class FrameSummary {
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private FrameSummary() {
    }

    static String describe(String direction, MemorySegment frame) {
        long n = frame.byteSize();
        if (n < 14) {
            return direction + " " + n + " bytes (shorter than an Ethernet header)";
        }
        int type = Short.toUnsignedInt(frame.get(BE_SHORT, 12));
        return direction + " " + n + " bytes " + MacAddress.at(frame, 6) + " > " + MacAddress.at(frame, 0)
                + " type 0x" + String.format("%04x", type);
    }
}
