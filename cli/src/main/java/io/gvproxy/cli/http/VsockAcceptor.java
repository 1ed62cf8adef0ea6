package io.gvproxy.cli.http;

import io.gvproxy.ffm.VsockAddress;
import io.gvproxy.ffm.VsockListener;
import io.gvproxy.ffm.VsockSocket;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An AF_VSOCK listener ({@code vsock://[CID]:PORT}) as a {@link StreamAcceptor}. Its accept and the accepted
 * {@link VsockSocket}s block inside FFM calls, so it asks for platform threads. The accepted channel can half-close.
 */
public final class VsockAcceptor implements StreamAcceptor {
    private final VsockListener listener;
    private final String address;
    private final AtomicLong accepted = new AtomicLong();

    /** @param address the URL as given, for logs (upstream logs the flag's text) */
    public VsockAcceptor(VsockListener listener, String address) {
        this.listener = listener;
        this.address = address;
    }

    @Override
    public Accepted accept() throws IOException {
        VsockSocket s = listener.accept();
        long n = accepted.incrementAndGet();
        VsockAddress remote = s.remoteAddress();
        return new Accepted(s, remote == null ? address + "#" + n : remote.toString());
    }

    @Override
    public String address() {
        return address;
    }

    public VsockAddress localAddress() {
        return listener.localAddress();
    }

    @Override
    public boolean blocksCarrier() {
        return true;
    }

    @Override
    public void close() {
        listener.close();
    }
}
