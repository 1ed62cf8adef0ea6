package io.gvproxy.cli;

import io.gvproxy.core.dns.DnsName;
import io.gvproxy.core.dns.ResolvConf;
import io.gvproxy.core.net.Ipv4;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Our own DNS flags (not upstream's): {@code -dns-server ADDR[:PORT]} replaces the host's resolv.conf
 * nameservers as forwarding targets, {@code -dns-search DOMAIN} replaces its search line as DHCP option 119.
 * Addresses are IP literals only, so parsing never resolves a name.
 */
final class DnsFlags {
    static final String SERVER = "dns-server";
    static final String SEARCH = "dns-search";

    private DnsFlags() {
    }

    static List<InetSocketAddress> servers(List<String> values) throws FlagException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String v : values) {
            out.add(server(v));
        }
        return out;
    }

    /** {@code 10.0.0.1}, {@code 10.0.0.1:5353}, {@code ::1} or {@code [::1]:5353}; port 53 when absent. */
    static InetSocketAddress server(String value) throws FlagException {
        String host = value;
        String port = null;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw invalid(value, "missing ']'");
            }
            host = value.substring(1, close);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw invalid(value, "expected ':' after ']'");
                }
                port = rest.substring(1);
            }
        } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
            host = value.substring(0, value.indexOf(':'));
            port = value.substring(value.indexOf(':') + 1);
        }
        InetAddress address;
        // ofLiteral also takes BSD forms such as 1.2.3; only dotted quads are IPv4 addresses here.
        if (host.indexOf(':') < 0 && !Ipv4.isValid(host)) {
            throw invalid(value, "not an IP address");
        }
        try {
            address = InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw invalid(value, "not an IP address");
        }
        int p = ResolvConf.DNS_PORT;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw invalid(value, "bad port");
            }
            if (p < 1 || p > 65535) {
                throw invalid(value, "port outside 1..65535");
            }
        }
        return new InetSocketAddress(address, p);
    }

    /** Each value must be a domain name; an empty value stands for none, so {@code -dns-search ''} sends none. */
    static List<String> searchDomains(List<String> values) throws FlagException {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            if (v.isEmpty()) {
                continue;
            }
            try {
                if (v.equals(".")) {
                    throw new IllegalArgumentException("the root");
                }
                DnsName.encode(v);
            } catch (IllegalArgumentException e) {
                throw new FlagException("invalid value " + GoQuote.quote(v) + " for flag -" + SEARCH
                        + ": not a domain name");
            }
            out.add(v);
        }
        return out;
    }

    private static FlagException invalid(String value, String why) {
        return new FlagException("invalid value " + GoQuote.quote(value) + " for flag -" + SERVER + ": " + why
                + " (want ADDR or ADDR:PORT, IPv6 as [ADDR]:PORT)");
    }
}
