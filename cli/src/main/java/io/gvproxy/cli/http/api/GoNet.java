package io.gvproxy.cli.http.api;

import io.gvproxy.core.forward.ForwardException;

/** Go's {@code net.SplitHostPort}, host part only, with its error texts. */
final class GoNet {
    private GoNet() {
    }

    static String splitHost(String hostport) throws ForwardException {
        int i = hostport.lastIndexOf(':');
        if (i < 0) {
            throw error(hostport, "missing port in address");
        }
        String host;
        int j = 0;
        int k = 0;
        if (hostport.startsWith("[")) {
            int end = hostport.indexOf(']');
            if (end < 0) {
                throw error(hostport, "missing ']' in address");
            }
            if (end + 1 == hostport.length()) {
                throw error(hostport, "missing port in address");
            } else if (end + 1 != i) {
                throw error(hostport, hostport.charAt(end + 1) == ':' ? "too many colons in address"
                        : "missing port in address");
            }
            host = hostport.substring(1, end);
            j = 1;
            k = end + 1;
        } else {
            host = hostport.substring(0, i);
            if (host.indexOf(':') >= 0) {
                throw error(hostport, "too many colons in address");
            }
        }
        if (hostport.indexOf('[', j) >= 0) {
            throw error(hostport, "unexpected '[' in address");
        }
        if (hostport.indexOf(']', k) >= 0) {
            throw error(hostport, "unexpected ']' in address");
        }
        return host;
    }

    private static ForwardException error(String addr, String why) {
        return new ForwardException(addr.isEmpty() ? why : "address " + addr + ": " + why);
    }
}
