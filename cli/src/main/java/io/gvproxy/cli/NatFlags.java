package io.gvproxy.cli;

import io.gvproxy.core.nat.EgressPolicy;
import io.gvproxy.core.nat.NatConfig;
import io.gvproxy.core.net.Ipv4Subnet;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

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

    /** A positive Go duration: one or more number+unit parts, as time.ParseDuration reads them. */
    static Duration duration(String flag, String text) throws FlagException {
        Matcher m = DURATION_PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            BigDecimal unit = switch (m.group(2)) {
                case "ns" -> BigDecimal.ONE;
                case "us", "µs" -> BigDecimal.valueOf(1_000);
                case "ms" -> BigDecimal.valueOf(1_000_000);
                case "s" -> BigDecimal.valueOf(1_000_000_000);
                case "m" -> BigDecimal.valueOf(60_000_000_000L);
                default -> BigDecimal.valueOf(3_600_000_000_000L);
            };
            nanos = nanos.add(new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1))
                    .multiply(unit));
            at = m.end();
        }
        if (text.isEmpty() || at != text.length()) {
            throw new FlagException("invalid value " + GoQuote.quote(text) + " for flag -" + flag
                    + ": parse error (want a duration such as 10s or 1m30s)");
        }
        if (nanos.signum() <= 0 || nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new FlagException("invalid value " + GoQuote.quote(text) + " for flag -" + flag
                    + ": must be positive and at most 292 years");
        }
        return Duration.ofNanos(nanos.longValue());
    }
}
