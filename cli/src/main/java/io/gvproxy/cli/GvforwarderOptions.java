package io.gvproxy.cli;

import io.gvproxy.core.net.MacAddress;

import java.util.List;

/**
 * gvforwarder's validated command line. {@code mac} is null for "keep the tap's own MAC" ({@code -mac ""});
 * {@code mtu} sizes the frame buffers only (frame = mtu + 14 bytes), as upstream.
 */
public record GvforwarderOptions(ForwarderUrl url, String iface, List<String> stopIfExist, MacAddress mac, int mtu,
        boolean preexisting, boolean debug) {
    public GvforwarderOptions {
        stopIfExist = List.copyOf(stopIfExist);
    }

    /** The frame buffer size: one MTU-sized payload plus the Ethernet header. */
    public int frameCapacity() {
        return mtu + 14;
    }
}
