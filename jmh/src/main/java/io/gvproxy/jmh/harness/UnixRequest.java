package io.gvproxy.jmh.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** One request over a UNIX stream socket, answered until the server closes: gvproxy's HTTP API, slirp4netns's API. */
final class UnixRequest {
    private static final int REPLY_LIMIT = 1 << 16;

    private UnixRequest() {
    }

    /** Writes {@code request}, half-closes, and returns everything read until EOF (at most 64 KiB). */
    static String exchange(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.shutdownOutput();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (ch.read(in) >= 0 && reply.size() < REPLY_LIMIT) {
                reply.write(in.array(), 0, in.position());
                in.clear();
            }
            return reply.toString(StandardCharsets.UTF_8);
        }
    }

    /** An HTTP/1.1 POST of a JSON body; throws unless the status is 2xx. */
    static String httpPost(Path socket, String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String reply = exchange(socket, "POST " + path + " HTTP/1.1\r\nHost: gvproxy\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n" + json);
        if (!reply.startsWith("HTTP/1.1 2") && !reply.startsWith("HTTP/1.0 2")) {
            throw new IOException("POST " + path + " " + json + " answered: " + reply.strip());
        }
        return reply;
    }
}
