package io.gvproxy.cli.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * How a request body is delimited and read: Content-Length (Go's clients) or chunked (curl uploads); either is
 * capped at the body limit. Other transfer codings get Go's 501.
 */
final class RequestBody {
    static final byte[] NONE = new byte[0];
    private static final int MAX_CHUNK_LINE = 4096;

    /** -1 for chunked, otherwise the declared length (0 without a body). */
    private final long length;

    private RequestBody(long length) {
        this.length = length;
    }

    static RequestBody of(RequestHead head, int maxBody) throws BadRequestException {
        List<String> te = head.all("transfer-encoding");
        if (!te.isEmpty()) {
            if (te.size() != 1 || !te.getFirst().equalsIgnoreCase("chunked")) {
                throw new BadRequestException(HttpStatus.NOT_IMPLEMENTED, "unsupported transfer encoding");
            }
            // With chunked coding Go ignores Content-Length, as RFC 9112 says to.
            return new RequestBody(-1);
        }
        List<String> cl = head.all("content-length");
        if (cl.isEmpty()) {
            return new RequestBody(0);
        }
        String first = cl.getFirst();
        for (String v : cl) {
            if (!v.equals(first)) {
                throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
            }
        }
        if (first.isEmpty() || first.length() > 18 || !first.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw BadRequestException.plain(HttpStatus.BAD_REQUEST);
        }
        long n = Long.parseLong(first);
        if (n > maxBody) {
            throw BadRequestException.plain(HttpStatus.PAYLOAD_TOO_LARGE);
        }
        return new RequestBody(n);
    }

    boolean isEmpty() {
        return length == 0;
    }

    byte[] read(ConnectionInput in, int maxBody) throws IOException, BadRequestException {
        if (length == 0) {
            return NONE;
        }
        if (length > 0) {
            byte[] body = new byte[(int) length];
            in.readFully(body, 0, body.length);
            return body;
        }
        return readChunked(in, maxBody);
    }

    private static byte[] readChunked(ConnectionInput in, int maxBody) throws IOException, BadRequestException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String line = in.readLine(MAX_CHUNK_LINE);
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
            long size = -1;
            if (!hex.isEmpty() && hex.length() <= 8 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                size = Long.parseLong(hex, 16);
            }
            if (size < 0) {
                throw new BadRequestException(HttpStatus.BAD_REQUEST, "invalid byte in chunk length");
            }
            if (size == 0) {
                // Trailers, which no API client sends, are read and ignored up to the blank line.
                while (!in.readLine(MAX_CHUNK_LINE).isEmpty()) {
                    continue;
                }
                return out.toByteArray();
            }
            if (out.size() + size > maxBody) {
                throw BadRequestException.plain(HttpStatus.PAYLOAD_TOO_LARGE);
            }
            byte[] chunk = new byte[(int) size];
            in.readFully(chunk, 0, chunk.length);
            out.write(chunk, 0, chunk.length);
            if (!in.readLine(2).isEmpty()) {
                throw new BadRequestException(HttpStatus.BAD_REQUEST, "malformed chunked encoding");
            }
        }
    }
}
