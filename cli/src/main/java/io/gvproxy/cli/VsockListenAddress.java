package io.gvproxy.cli;

import io.gvproxy.ffm.VsockAddress;
import java.io.IOException;

/**
 * Upstream's reading of a Linux {@code vsock://[CID]:PORT} listen URL (transport.Listen with mdlayher/vsock): a CID
 * is read with Go's strconv.Atoi and converted to uint32 (so {@code -1} is VMADDR_CID_ANY), and an empty CID means
 * this machine's own CID (vsock.Listen asks /dev/vsock for it) rather than "any".
 */
final class VsockListenAddress {
    /** This machine's CID; {@link io.gvproxy.ffm.VsockListener#localCid()} outside tests. */
    @FunctionalInterface
    interface LocalCid {
        long get() throws IOException;
    }

    private VsockListenAddress() {
    }

    static VsockAddress resolve(ListenUrl url, LocalCid localCid) throws StartupException {
        String host = url.host();
        long cid;
        if (host.isEmpty()) {
            try {
                cid = localCid.get();
            } catch (IOException | UnsupportedOperationException e) {
                throw new StartupException("listen " + url + ": cannot read the local CID: " + StartupException.reason(e));
            }
        } else {
            cid = atoi(url, host) & 0xFFFF_FFFFL;
        }
        return new VsockAddress(cid, Integer.toUnsignedLong(url.port()));
    }

    /** Go's strconv.Atoi on a 64-bit platform: an optional sign, then decimal digits, within the int64 range. */
    private static long atoi(ListenUrl url, String s) throws StartupException {
        String digits = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
        if (!digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Long.parseLong(s.startsWith("+") ? digits : s);
            } catch (NumberFormatException e) {
                throw new StartupException("listen " + url + ": strconv.Atoi: parsing " + GoQuote.quote(s)
                        + ": value out of range");
            }
        }
        throw new StartupException("listen " + url + ": strconv.Atoi: parsing " + GoQuote.quote(s) + ": invalid syntax");
    }
}
