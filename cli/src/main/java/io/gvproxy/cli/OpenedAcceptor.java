package io.gvproxy.cli;

import io.gvproxy.cli.http.SocketChannelAcceptor;
import io.gvproxy.cli.http.StreamAcceptor;
import io.gvproxy.cli.http.VsockAcceptor;
import io.gvproxy.ffm.VsockListener;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.UserPrincipal;

/** A bound listener of any stream URL (unix, tcp, vsock) as an acceptor, with the address it is bound to. */
record OpenedAcceptor(StreamAcceptor acceptor, SocketAddress address) {
    /**
     * Binds {@code url}: a unix socket file gets mode 0600 (see {@link BoundServerSocket}), a vsock URL is read as
     * upstream does (see {@link VsockListenAddress}).
     *
     * @param ownerOnly on a unix socket, drop clients of another user (the HTTP API); VM listeners do not check
     */
    static OpenedAcceptor bind(ListenUrl url, boolean ownerOnly, LogrusLogger log) throws StartupException {
        if (url.scheme() == ListenUrl.Scheme.VSOCK) {
            return bindVsock(url);
        }
        BoundServerSocket sock = BoundServerSocket.bind(url, log);
        UserPrincipal owner = null;
        SocketAddress address;
        try {
            address = sock.localAddress();
            if (ownerOnly && url.scheme() == ListenUrl.Scheme.UNIX) {
                // The file is ours (just created), so its owner is the user this process runs as.
                owner = Files.getOwner(url.path(), LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            sock.close();
            throw new StartupException("listen " + url + ": " + StartupException.reason(e));
        }
        return new OpenedAcceptor(new SocketChannelAcceptor(sock.channel(), url.toString(), owner, sock::close, log),
                address);
    }

    private static OpenedAcceptor bindVsock(ListenUrl url) throws StartupException {
        VsockListener listener;
        try {
            listener = VsockListener.bind(VsockListenAddress.resolve(url, VsockListener::localCid));
        } catch (IOException | UnsupportedOperationException e) {
            // Unsupported: AF_VSOCK exists on Linux only.
            throw new StartupException("listen " + url + ": " + StartupException.reason(e));
        }
        return new OpenedAcceptor(new VsockAcceptor(listener, url.toString()),
                new VsockSocketAddress(listener.localAddress()));
    }
}
