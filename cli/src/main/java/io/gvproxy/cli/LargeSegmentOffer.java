package io.gvproxy.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How our gvforwarder and our gvproxy agree on TCP/IPv4 frames larger than the MTU on a {@code /connect} link, so that
 * each still works with upstream's counterpart: upstream's gvforwarder never reads a reply and upstream's gvproxy
 * sends none, so the offer goes as a request header (which Go's server ignores) and the acceptance as the first frame
 * on the link, sent only to a client that made the offer. That frame has the IEEE local experimental EtherType
 * 0x88B5 and zero MACs: should it ever reach a network stack, it is dropped there as an unknown protocol.
 */
public final class LargeSegmentOffer {
    /** The request header our gvforwarder adds to its {@code POST /connect}. */
    public static final String HEADER = "Gvproxy-Large-Segments";
    public static final String VALUE = "tcp4";
    /** The largest frame either side sends once agreed: what the 2-byte length of HyperKit framing carries. */
    public static final int MAX_FRAME = 65535;
    private static final int ETHERTYPE_LOCAL_EXPERIMENTAL = 0x88B5;
    private static final byte[] ACCEPT = buildAcceptFrame();

    private LargeSegmentOffer() {
    }

    /** Whether a request header value names an offer we understand. */
    public static boolean offered(String headerValue) {
        return headerValue != null && Arrays.asList(headerValue.split(",")).stream()
                .anyMatch(v -> v.strip().equalsIgnoreCase(VALUE));
    }

    /** The frame by which gvproxy accepts the offer, first on the link. */
    public static byte[] acceptFrame() {
        return ACCEPT.clone();
    }

    private static byte[] buildAcceptFrame() {
        byte[] f = new byte[60];
        f[12] = (byte) (ETHERTYPE_LOCAL_EXPERIMENTAL >> 8);
        f[13] = (byte) ETHERTYPE_LOCAL_EXPERIMENTAL;
        byte[] text = "gvproxy accepts large tcp4 segments v1".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, f, 14, text.length);
        return f;
    }

    /** Whether {@code frame} is gvproxy's acceptance. */
    public static boolean isAcceptance(MemorySegment frame) {
        if (frame.byteSize() != ACCEPT.length) {
            return false;
        }
        for (int i = 0; i < ACCEPT.length; i++) {
            if (frame.get(ValueLayout.JAVA_BYTE, i) != ACCEPT[i]) {
                return false;
            }
        }
        return true;
    }
}
