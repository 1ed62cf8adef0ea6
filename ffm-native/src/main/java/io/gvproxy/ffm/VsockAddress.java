package io.gvproxy.ffm;

import java.net.URI;
import java.net.URISyntaxException;

/** An AF_VSOCK address: context id and port, both unsigned 32-bit. */
public record VsockAddress(long cid, long port) {
    public VsockAddress {
        if (cid < 0 || cid > 0xFFFF_FFFFL || port < 0 || port > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("vsock cid/port out of range: " + cid + ":" + port);
        }
    }

    /**
     * Parses {@code vsock://[CID]:PORT}; an empty CID means {@link SockaddrVm#VMADDR_CID_ANY}. (Upstream's
     * mdlayher/vsock binds an empty CID to the local CID instead; see {@link VsockListener#localCid()}.)
     */
    public static VsockAddress parse(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid vsock URL: " + url, e);
        }
        String auth = u.getRawAuthority();
        if (!"vsock".equals(u.getScheme()) || auth == null || auth.lastIndexOf(':') < 0
                || (u.getRawPath() != null && !u.getRawPath().isEmpty())) {
            throw new IllegalArgumentException("expected vsock://[CID]:PORT, got: " + url);
        }
        int colon = auth.lastIndexOf(':');
        String host = auth.substring(0, colon);
        try {
            long cid = host.isEmpty() ? SockaddrVm.VMADDR_CID_ANY : Long.parseLong(host);
            return new VsockAddress(cid, Long.parseLong(auth.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid vsock CID or port in: " + url, e);
        }
    }

    @Override
    public String toString() {
        return "vsock://" + (cid == SockaddrVm.VMADDR_CID_ANY ? "" : Long.toString(cid)) + ":" + port;
    }
}
