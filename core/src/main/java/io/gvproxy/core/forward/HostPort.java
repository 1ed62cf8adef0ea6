package io.gvproxy.core.forward;

import io.gvproxy.core.net.Ipv4;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Address texts in the forms upstream's forwarder accepts, with its error messages. */
final class HostPort {
    private HostPort() {
    }

    /** A guest address {@code ip:port}, parsed like upstream's {@code tcpipAddress}. */
    record Guest(int ip, int port) {
    }

    static Guest guest(String remote) throws ForwardException {
        String[] split = remote.split(":", -1);
        if (split.length != 2) {
            throw new ForwardException("invalid remote addr");
        }
        int port = parsePort(split[1]);
        if (!Ipv4.isValid(split[0])) {
            throw new ForwardException("invalid remote addr: " + split[0] + " is not an IPv4 address");
        }
        return new Guest(Ipv4.parse(split[0]), port);
    }

    /** Go's {@code strconv.ParseUint(s, 10, 16)}. */
    static int parsePort(String s) throws ForwardException {
        if (s.isEmpty()) {
            throw new ForwardException("strconv.ParseUint: parsing \"\": invalid syntax");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ForwardException("strconv.ParseUint: parsing \"" + s + "\": invalid syntax");
            }
            v = Math.min(v * 10 + (c - '0'), 1L << 32);
        }
        if (v > 65535) {
            throw new ForwardException("strconv.ParseUint: parsing \"" + s + "\": value out of range");
        }
        return (int) v;
    }

    /**
     * A host listen address {@code host:port}, {@code :port} (all interfaces) or {@code [v6]:port}. Names are
     * resolved, as Go's {@code net.Listen} does.
     */
    static InetSocketAddress listen(String network, String local) throws ForwardException {
        int colon = local.lastIndexOf(':');
        if (colon < 0) {
            throw new ForwardException("listen " + network + ": address " + local + ": missing port in address");
        }
        String host = local.substring(0, colon);
        String portText = local.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new ForwardException("listen " + network + ": address " + local + ": too many colons in address");
        }
        int port;
        try {
            port = parsePort(portText);
        } catch (ForwardException e) {
            throw new ForwardException("listen " + network + ": address " + portText + ": invalid port");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ForwardException("listen " + network + ": lookup " + host + ": no such host");
        }
    }
}
