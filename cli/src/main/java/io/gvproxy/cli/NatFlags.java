package io.gvproxy.cli;

import io.gvproxy.core.nat.EgressPolicy;
import io.gvproxy.core.nat.NatConfig;
import io.gvproxy.core.net.Ipv4Subnet;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbound NAT's flags. {@code -ec2-metadata-access} is upstream's; the rest are ours: {@code -egress-allow}
 * and {@code -egress-deny} (repeatable CIDRs; a deny wins over an allow, and once any allow is given only
 * allowed destinations are reachable), {@code -nat-connect-timeout}, {@code -udp-idle-timeout} (Go durations such
 * as {@code 10s} or {@code 1m30s}) and {@code -udp-max-flows}.
 */
final class NatFlags {
    static final String EC2 = "ec2-metadata-access";
    static final String ALLOW = "egress-allow";
    static final String DENY = "egress-deny";
    static final String CONNECT_TIMEOUT = "nat-connect-timeout";
    static final String UDP_IDLE_TIMEOUT = "udp-idle-timeout";
    static final String UDP_MAX_FLOWS = "udp-max-flows";

    private NatFlags() {
    }

    static GoFlags define(GoFlags flags) {
        return flags
                .repeatable(ALLOW, "Destination CIDR guests may reach through the NAT (after NAT, so 127.0.0.0/8"
                        + " covers the host IP); once given, all others are refused; repeatable (not in upstream"
                        + " gvproxy)")
                .repeatable(DENY, "Destination CIDR guests may not reach through the NAT (TCP reset, UDP dropped);"
                        + " wins over -egress-allow; repeatable (not in upstream gvproxy)")
                .string(CONNECT_TIMEOUT, "10s", "How long the host may take to connect a guest's TCP connection"
                        + " before the guest gets a reset (not in upstream gvproxy)")
                .string(UDP_IDLE_TIMEOUT, "90s", "A NAT'd UDP flow idle for this long is closed")
                .integer(UDP_MAX_FLOWS, NatConfig.DEFAULT_MAX_UDP_FLOWS, "Host UDP sockets at most; the longest"
                        + " idle flow is closed for a new one (not in upstream gvproxy)");
    }

    static NatConfig config(ParsedFlags f, int hostIp) throws FlagException {
        long maxFlows = f.integer(UDP_MAX_FLOWS);
        if (maxFlows < 1 || maxFlows > 1 << 20) {
            throw new FlagException("invalid value " + maxFlows + " for flag -" + UDP_MAX_FLOWS + ": want 1.."
                    + (1 << 20));
        }
        return NatConfig.defaults(hostIp)
                .withPolicy(EgressPolicy.of(cidrs(ALLOW, f.list(ALLOW)), cidrs(DENY, f.list(DENY))))
                .withEc2MetadataAccess(f.bool(EC2))
                .withConnectTimeout(duration(CONNECT_TIMEOUT, f.string(CONNECT_TIMEOUT)))
                .withUdpIdleTimeout(duration(UDP_IDLE_TIMEOUT, f.string(UDP_IDLE_TIMEOUT)))
                .withMaxUdpFlows((int) maxFlows);
    }

    private static List<Ipv4Subnet> cidrs(String flag, List<String> values) throws FlagException {
        List<Ipv4Subnet> out = new ArrayList<>();
        for (String v : values) {
            try {
                out.add(Ipv4Subnet.parse(v));
            } catch (IllegalArgumentException e) {
                throw new FlagException("invalid value " + GoQuote.quote(v) + " for flag -" + flag
                        + ": not an IPv4 CIDR");
            }
        }
        return out;
    }

    /**
     * A positive Go duration: one or more number+unit parts, as time.ParseDuration reads them. Scanned by hand and
     * summed in a long: gvproxy parses its two defaults at every start, and a regex plus BigDecimal (whose class
     * initialisation alone took most of the time before the API socket listened) cost more than the rest of the
     * flag handling. Only a fraction, or a sum past a long, takes the exact BigDecimal path.
     */
    static Duration duration(String flag, String text) throws FlagException {
        List<String> numbers = new ArrayList<>();
        List<Long> units = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int start = at;
            at = skipDigits(text, at);
            boolean hasDigits = at > start;
            if (at < text.length() && text.charAt(at) == '.') {
                int fraction = at + 1;
                at = skipDigits(text, fraction);
                hasDigits = hasDigits || at > fraction;
            }
            long unit = hasDigits ? unitNanos(text, at) : 0;
            if (unit == 0) {
                throw badDuration(flag, text);
            }
            numbers.add(text.substring(start, at));
            units.add(unit);
            at += unit >= 1_000_000_000 ? 1 : 2; // s, m and h; ns, us, µs and ms are two characters
        }
        if (numbers.isEmpty()) {
            throw badDuration(flag, text);
        }
        long nanos = sumExact(numbers, units);
        if (nanos < 0) {
            nanos = sumWithFractions(numbers, units);
        }
        if (nanos <= 0) {
            throw new FlagException("invalid value " + GoQuote.quote(text) + " for flag -" + flag
                    + ": must be positive and at most 292 years");
        }
        return Duration.ofNanos(nanos);
    }

    private static int skipDigits(String text, int at) {
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at;
    }

    /** The unit at {@code at} in nanoseconds, 0 for none; the two-letter units first, as Go reads "ms". */
    private static long unitNanos(String text, int at) {
        if (text.startsWith("ns", at)) {
            return 1;
        }
        if (text.startsWith("us", at) || text.startsWith("\u00b5s", at)) {
            return 1_000;
        }
        if (text.startsWith("ms", at)) {
            return 1_000_000;
        }
        if (text.startsWith("s", at)) {
            return 1_000_000_000;
        }
        if (text.startsWith("m", at)) {
            return 60_000_000_000L;
        }
        return text.startsWith("h", at) ? 3_600_000_000_000L : 0;
    }

    /** The sum when every part is a whole number and it fits a long; -1 otherwise. */
    private static long sumExact(List<String> numbers, List<Long> units) {
        long nanos = 0;
        for (int i = 0; i < numbers.size(); i++) {
            String n = numbers.get(i);
            if (n.indexOf('.') >= 0 || n.length() > 18) {
                return -1;
            }
            try {
                nanos = Math.addExact(nanos, Math.multiplyExact(Long.parseLong(n), units.get(i)));
            } catch (ArithmeticException overflow) {
                return -1;
            }
        }
        return nanos;
    }

    /** Exact sum of parts with fractions (1.5s, .5h), truncated to whole nanoseconds; 0 if out of range. */
    private static long sumWithFractions(List<String> numbers, List<Long> units) {
        BigDecimal nanos = BigDecimal.ZERO;
        for (int i = 0; i < numbers.size(); i++) {
            String n = numbers.get(i);
            nanos = nanos.add(new BigDecimal(n.startsWith(".") ? "0" + n : n).multiply(BigDecimal.valueOf(units.get(i))));
        }
        return nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? 0 : nanos.longValue();
    }

    private static FlagException badDuration(String flag, String text) {
        return new FlagException("invalid value " + GoQuote.quote(text) + " for flag -" + flag
                + ": parse error (want a duration such as 10s or 1m30s)");
    }
}
