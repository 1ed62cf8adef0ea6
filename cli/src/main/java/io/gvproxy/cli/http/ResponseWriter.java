package io.gvproxy.cli.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/** Serialises responses as Go's net/http does: status line, headers, Date and Content-Length, then the body. */
final class ResponseWriter {
    /** Go's http.TimeFormat (always two-digit days, unlike RFC_1123_DATE_TIME). */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private ResponseWriter() {
    }

    static void write(WritableByteChannel out, HttpResponse response, int minorVersion, boolean head, boolean close)
            throws IOException {
        StringBuilder sb = new StringBuilder(160);
        sb.append(minorVersion >= 1 ? "HTTP/1.1 " : "HTTP/1.0 ").append(response.status()).append(' ')
                .append(HttpStatus.text(response.status())).append("\r\n");
        for (Map.Entry<String, String> h : response.headers().entrySet()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("Date: ").append(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        sb.append("Content-Length: ").append(response.body().length).append("\r\n");
        if (close) {
            sb.append("Connection: close\r\n");
        } else if (minorVersion == 0) {
            sb.append("Connection: keep-alive\r\n");
        }
        sb.append("\r\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sb.length() + response.body().length);
        bytes.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            bytes.writeBytes(response.body());
        }
        writeFully(out, ByteBuffer.wrap(bytes.toByteArray()));
    }

    /** Go's answer to requests its server rejects itself; the connection is closed after it. */
    static void writeRejection(WritableByteChannel out, BadRequestException e) throws IOException {
        String text = e.publicText();
        String msg = "HTTP/1.1 " + text + "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                + text;
        writeFully(out, ByteBuffer.wrap(msg.getBytes(StandardCharsets.ISO_8859_1)));
    }

    static void writeContinue(WritableByteChannel out) throws IOException {
        writeFully(out, ByteBuffer.wrap("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
    }

    static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }
}
