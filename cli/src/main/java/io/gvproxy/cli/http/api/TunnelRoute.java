package io.gvproxy.cli.http.api;

import io.gvproxy.cli.http.HttpRequest;
import io.gvproxy.cli.http.HttpResponse;
import io.gvproxy.cli.http.HttpStatus;
import io.gvproxy.core.forward.PortForwarder;
import io.gvproxy.core.forward.StreamPump;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.tcpip.TcpStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Upstream's {@code /tunnel?ip=&port=}: after checking the arguments, takes over the connection, writes the two
 * bytes {@code OK} (no status line) and relays bytes to {@code ip:port} in the virtual network, dialled from the
 * gateway with a 10 s timeout. A failed dial closes the connection.
 */
final class TunnelRoute {
    static final long DIAL_TIMEOUT_MILLIS = 10_000;

    private TunnelRoute() {
    }

    static HttpResponse handle(HttpRequest request, Supplier<PortForwarder> forwarder) {
        String ip = request.queryParameter("ip");
        if (ip.isEmpty()) {
            return HttpResponse.error(HttpStatus.INTERNAL_SERVER_ERROR, "ip is mandatory");
        }
        String portText = request.queryParameter("port");
        int port;
        try {
            port = goAtoi(portText);
        } catch (NumberFormatException e) {
            return HttpResponse.error(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        }
        return HttpResponse.hijack(channel -> {
            ByteBuffer ok = ByteBuffer.wrap("OK".getBytes(StandardCharsets.US_ASCII));
            while (ok.hasRemaining()) {
                channel.write(ok);
            }
            if (!Ipv4.isValid(ip)) {
                // upstream's dial panics on a non-IPv4 address, which closes the connection after "OK"
                return;
            }
            TcpStream guest;
            try {
                guest = forwarder.get().dialer().dial(Ipv4.parse(ip), port & 0xFFFF, DIAL_TIMEOUT_MILLIS);
            } catch (IOException e) {
                return;
            }
            StreamPump.run(channel, guest);
        });
    }

    /** Go's {@code strconv.Atoi} on a 64-bit platform, failing with its message. */
    static int goAtoi(String s) {
        String digits = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException("strconv.Atoi: parsing " + quote(s) + ": invalid syntax");
        }
        try {
            long v = Long.parseLong(s);
            return (int) v;
        } catch (NumberFormatException e) {
            throw new NumberFormatException("strconv.Atoi: parsing " + quote(s) + ": value out of range");
        }
    }

    /** Go's %q for the printable ASCII a query parameter usually holds; other characters as Go escapes them. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("%su%04x", "\\", (int) c));
            }
        }
        return b.append('"').toString();
    }
}
