package io.gvproxy.cli;

import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Receives the VM connections gvproxy accepts. Each method runs on its own thread and blocks for the whole
 * life of that VM connection; when it returns or throws, gvproxy closes the channel(s). At shutdown gvproxy closes
 * the channels, which makes blocked reads and writes fail; implementations should then return promptly.
 */
public interface VmConnectionHandler extends AutoCloseable {
    /** A QEMU {@code -netdev stream/socket} peer (4-byte big-endian length framing). Only one at a time. */
    void qemu(ByteChannel channel, String peerName) throws IOException;

    /**
     * A VPNKit/HyperKit peer (handshake, then 2-byte little-endian length framing). Many at once. A vsock peer's
     * channel blocks in native calls: it arrives on a platform thread, and the link's reader and writer are the
     * switch's platform threads.
     */
    void vpnkit(ByteChannel channel, String peerName) throws IOException;

    /**
     * A BESS peer on {@code -listen-bess} (one SOCK_SEQPACKET message per frame). Only one at a time; the link's
     * receive and send block in native calls, so they must run on platform threads.
     */
    void bess(Link link, String peerName) throws IOException;

    /**
     * The vfkit peer on {@code -listen-vfkit} (one datagram per frame; the peer was already learned). Blocks until
     * the link is closed; receive and send block in native calls, so they must run on platform threads.
     */
    void vfkit(Link link, String peerName) throws IOException;

    /** Where the native links (bess, vfkit) count their drops. */
    Counters counters();

    /**
     * gvproxy's own stdin/stdout as a VM link (2-byte little-endian framing, no handshake). Returning means stdin
     * ended: gvproxy then exits with status 0; throwing makes it exit with status 1.
     */
    void stdio(ReadableByteChannel in, WritableByteChannel out) throws IOException;

    /**
     * A client of the HTTP API's {@code /connect} (gvforwarder), after its request head: no handshake; 2-byte
     * little-endian framing, or QEMU's 4-byte big-endian framing when {@code -listen-qemu} is set (upstream's
     * Protocol). Many at once.
     */
    void connect(ByteChannel channel, String peerName) throws IOException;

    /**
     * As {@link #connect(ByteChannel, String)}, where the request {@code offeredLargeSegments}
     * ({@link LargeSegmentOffer}); a handler that does not take large frames ignores the offer, as upstream does.
     */
    default void connect(ByteChannel channel, String peerName, boolean offeredLargeSegments) throws IOException {
        connect(channel, peerName);
    }

    /** The network the links join: the HTTP API reports on it and notifications follow its switch. */
    VirtualNetwork network();

    /** Releases the network stack behind the handler; called once at shutdown, after the listeners are closed. */
    @Override
    void close();
}
