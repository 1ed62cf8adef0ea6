package io.gvproxy.cli;

import io.gvproxy.ffm.VsockAddress;
import java.io.Serial;
import java.net.SocketAddress;
import java.util.Objects;

/** A bound vsock address among the JDK socket addresses gvproxy reports for its listeners. */
public final class VsockSocketAddress extends SocketAddress {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long cid;
    private final long port;

    public VsockSocketAddress(VsockAddress address) {
        this.cid = address.cid();
        this.port = address.port();
    }

    public VsockAddress address() {
        return new VsockAddress(cid, port);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VsockSocketAddress v && v.cid == cid && v.port == port;
    }

    @Override
    public int hashCode() {
        return Objects.hash(cid, port);
    }

    @Override
    public String toString() {
        return address().toString();
    }
}
