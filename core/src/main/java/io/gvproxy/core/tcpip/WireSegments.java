package io.gvproxy.core.tcpip;

import io.gvproxy.core.tcp.TcpSegment;
import io.gvproxy.core.wire.TcpOptions;

/** Copies a received header view into the engine's segment: fields, understood options, payload reference. */
final class WireSegments {
    private WireSegments() {
    }

    /**
     * Fills {@code into} from {@code view}, which wrapped successfully (so its options are well formed).
     * The payload is referenced, not copied. {@code options} is scratch.
     */
    static TcpSegment fill(io.gvproxy.core.wire.TcpSegment view, TcpOptions options, TcpSegment into) {
        into.clear()
                .seq(view.sequenceNumber())
                .ack(view.acknowledgmentNumber())
                // the engine's flag byte holds FIN..CWR; NS is historic and ignored
                .flags(view.flags() & 0xFF)
                .window(view.window());
        view.readOptions(options);
        into.mss(options.mss()).windowScale(options.windowScale()).sackPermitted(options.sackPermitted());
        if (options.hasTimestamps()) {
            into.timestamps(options.tsVal(), options.tsEcr());
        }
        for (int i = 0; i < options.sackBlockCount(); i++) {
            into.addSackBlock(options.sackLeft(i), options.sackRight(i));
        }
        into.payload(view.segment(), view.payloadOffset(), (int) view.payloadLength());
        return into;
    }
}
