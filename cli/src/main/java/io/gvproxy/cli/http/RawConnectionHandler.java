package io.gvproxy.cli.http;

import java.io.IOException;
import java.nio.channels.ByteChannel;

/**
 * Takes over a connection after its request head (see {@link HttpResponse#hijack}). The channel first yields any
 * bytes the client sent after the head that the server had already read, then the socket's own bytes. The server
 * closes the channel when this returns or throws.
 */
@FunctionalInterface
public interface RawConnectionHandler {
    void serve(ByteChannel channel) throws IOException;
}
