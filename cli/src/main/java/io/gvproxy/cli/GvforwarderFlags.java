package io.gvproxy.cli;

import io.gvproxy.core.net.MacAddress;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** gvforwarder's flags, with upstream's names, defaults and usage texts (cmd/vm/main_linux.go). */
public final class GvforwarderFlags {
    static final String DEFAULT_URL = "vsock://2:1024/connect";
    static final String DEFAULT_MAC = "5a:94:ef:e4:0c:ee";
    /** The frame buffers must hold at least an Ethernet header plus a minimal IPv4 packet. */
    static final int MIN_MTU = 50;
    /** The 2-byte length prefix cannot describe a larger frame. */
    static final int MAX_MTU = 65535 - 14;
    /** Linux's IFNAMSIZ minus the terminating NUL. */
    static final int MAX_IFACE_BYTES = 15;

    private GvforwarderFlags() {
    }

    public static GoFlags define() {
        return new GoFlags("gvforwarder")
                .bool("version", false, "Print version information")
                .string("url", DEFAULT_URL, "url where the tap send packets")
                .string("iface", "tap0", "tap interface name")
                .string("stop-if-exist", "eth0,ens3,enp0s1", "stop if one of these interfaces exists at startup")
                .string("mac", DEFAULT_MAC, "mac address")
                .bool("debug", false, "debug")
                .integer("mtu", 4000, "mtu")
                .bool("preexisting", false, "use preexisting/preconfigured TAP interface");
    }

    /** Turns parsed flags into options; rejects what upstream would only fail on at every reconnect. */
    public static GvforwarderOptions validate(ParsedFlags parsed) throws FlagException {
        ForwarderUrl url = ForwarderUrl.parse(parsed.string("url"));
        String iface = parsed.string("iface");
        int ifaceBytes = iface.getBytes(StandardCharsets.UTF_8).length;
        if (ifaceBytes == 0 || ifaceBytes > MAX_IFACE_BYTES || iface.contains("/") || iface.isBlank()) {
            throw new FlagException("invalid value " + GoQuote.quote(iface) + " for flag -iface: want 1.."
                    + MAX_IFACE_BYTES + " bytes, no '/'");
        }
        // Go's strings.Split: "" gives one empty name, which matches no link.
        List<String> stop = Arrays.asList(parsed.string("stop-if-exist").split(",", -1));
        String macText = parsed.string("mac");
        MacAddress mac = null;
        if (!macText.isEmpty()) {
            try {
                mac = MacAddress.parse(macText);
            } catch (IllegalArgumentException e) {
                throw new FlagException("invalid value " + GoQuote.quote(macText) + " for flag -mac: " + e.getMessage());
            }
        }
        long mtu = parsed.integer("mtu");
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new FlagException("invalid value \"" + mtu + "\" for flag -mtu: want " + MIN_MTU + ".." + MAX_MTU);
        }
        return new GvforwarderOptions(url, iface, stop, mac, (int) mtu, parsed.bool("preexisting"),
                parsed.bool("debug"));
    }
}
