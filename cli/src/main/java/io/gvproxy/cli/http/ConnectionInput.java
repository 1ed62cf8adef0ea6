package io.gvproxy.cli.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The read side of one connection: a buffer the size of the head limit, so pipelined requests and bytes sent after
 * a head wait here between requests and can be handed to a hijacker.
 */
final class ConnectionInput {
    private final ReadableByteChannel channel;
    private final byte[] buf;
    private final ByteBuffer view;
    /** Unconsumed bytes are {@code buf[pos, lim)}. */
    private int pos;
    private int lim;

    ConnectionInput(ReadableByteChannel channel, int capacity) {
        this.channel = channel;
        this.buf = new byte[capacity];
        this.view = ByteBuffer.wrap(buf);
    }

    /**
     * Reads one request head (through its blank line), skipping blank lines before it. Null if the stream ends
     * before any byte of a head; 431 if the head does not fit; 400 if the stream ends inside it. {@code onFirstByte}
     * runs once, when the first byte of the request is here.
     */
    String readHead(Runnable onFirstByte) throws IOException, BadRequestException {
        int checked = 0;
        boolean started = false;
        while (true) {
            if (!started && lim > pos) {
                started = true;
                onFirstByte.run();
            }
            while (pos < lim && (buf[pos] == '\r' || buf[pos] == '\n')) {
                pos++;
                checked = 0;
            }
            for (int i = pos + Math.max(checked, 1); i < lim; i++) {
                if (buf[i] == '\n' && (buf[i - 1] == '\n'
                        || (buf[i - 1] == '\r' && i - 2 >= pos && buf[i - 2] == '\n'))) {
                    String head = new String(buf, pos, i + 1 - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    return head;
                }
            }
            checked = lim - pos;
            if (lim - pos == buf.length) {
                throw BadRequestException.plain(HttpStatus.HEADERS_TOO_LARGE);
            }
            if (fill() < 0) {
                if (lim > pos) {
                    throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
                }
                return null;
            }
        }
    }

    /** One line of at most {@code max} bytes without its line end (chunk sizes and trailers). */
    String readLine(int max) throws IOException, BadRequestException {
        int checked = 0;
        while (true) {
            for (int i = pos + checked; i < lim; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    return line;
                }
            }
            checked = lim - pos;
            if (checked >= max || checked == buf.length) {
                throw new BadRequestException(HttpStatus.BAD_REQUEST, "chunked line too long");
            }
            if (fill() < 0) {
                throw new BadRequestException(HttpStatus.BAD_REQUEST, "unexpected EOF in chunked body");
            }
        }
    }

    /** Exactly {@code n} bytes into {@code out} at {@code off}; 400 if the stream ends first. */
    void readFully(byte[] out, int off, int n) throws IOException, BadRequestException {
        int fromBuffer = Math.min(n, lim - pos);
        System.arraycopy(buf, pos, out, off, fromBuffer);
        pos += fromBuffer;
        ByteBuffer rest = ByteBuffer.wrap(out, off + fromBuffer, n - fromBuffer);
        while (rest.hasRemaining()) {
            if (channel.read(rest) < 0) {
                throw new BadRequestException(HttpStatus.BAD_REQUEST, "unexpected EOF in request body");
            }
        }
    }

    /** Reads more bytes, first moving the unconsumed ones to the front; -1 at end of stream. */
    private int fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        view.limit(buf.length).position(lim);
        int n = channel.read(view);
        if (n > 0) {
            lim += n;
        }
        return n;
    }

    /** Whether bytes of a further request are already here (pipelining). */
    boolean hasBuffered() {
        return lim > pos;
    }

    /** Takes every buffered, unconsumed byte (for a hijacker). */
    ByteBuffer takeBuffered() {
        ByteBuffer out = ByteBuffer.wrap(buf, pos, lim - pos).slice();
        ByteBuffer copy = ByteBuffer.allocate(out.remaining()).put(out).flip();
        pos = lim;
        return copy;
    }
}
