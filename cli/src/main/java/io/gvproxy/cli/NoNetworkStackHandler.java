package io.gvproxy.cli;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The handler of a build in which no network stack is linked to the CLI: every VM connection is refused with a
 * clear error, so a VM never talks to a link that silently drops its frames.
 */
public final class NoNetworkStackHandler implements VmConnectionHandler {
    public static final VmConnectionHandlerFactory FACTORY = (options, log) -> new NoNetworkStackHandler();

    @Override
    public void qemu(SocketChannel channel, String peerName) throws IOException {
        throw refused(peerName);
    }

    @Override
    public void vpnkit(SocketChannel channel, String peerName) throws IOException {
        throw refused(peerName);
    }

    @Override
    public void stdio(ReadableByteChannel in, WritableByteChannel out) throws IOException {
        throw refused("stdio");
    }

    private static IOException refused(String peer) {
        return new IOException("no network stack in this build, refusing " + peer);
    }
}
