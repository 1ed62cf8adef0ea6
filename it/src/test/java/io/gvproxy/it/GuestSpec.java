package io.gvproxy.it;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a guest runs: the checks (files in rig/checks, in order), its NIC's MAC, rig.* kernel
 * parameters for the checks, and how long the whole boot may take.
 */
record GuestSpec(List<String> checks, String mac, Map<String, String> params, Duration timeout) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    private static final Pattern VALUE = Pattern.compile("[\\x21-\\x7e]+");

    GuestSpec {
        checks = List.copyOf(checks);
        params = Map.copyOf(params);
        for (String check : checks) {
            require(NAME, check, "check name");
        }
        params.forEach((k, v) -> {
            require(NAME, k, "parameter name");
            require(VALUE, v, "parameter value");
        });
        require(Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}"), mac, "MAC");
    }

    static GuestSpec checks(String... checks) {
        return new GuestSpec(List.of(checks), Rig.GUEST_MAC, Map.of(), Duration.ofSeconds(120));
    }

    GuestSpec param(String key, String value) {
        Map<String, String> next = new LinkedHashMap<>(params);
        next.put(key, value);
        return new GuestSpec(checks, mac, next, timeout);
    }

    GuestSpec mac(String mac) {
        return new GuestSpec(checks, mac, params, timeout);
    }

    GuestSpec timeout(Duration timeout) {
        return new GuestSpec(checks, mac, params, timeout);
    }

    /** The kernel command line; parameters are sorted so that runs are comparable. */
    String kernelCommandLine() {
        return "console=ttyS0 quiet loglevel=3 panic=-1 ipv6.disable=1 " + rigParameters();
    }

    /** Only the rig.* part of the command line, for guests with another console (UML). */
    String rigParameters() {
        StringBuilder line = new StringBuilder();
        line.append("rig.tests=").append(String.join(",", checks));
        line.append(" rig.mac=").append(mac);
        params.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> line.append(" rig.").append(e.getKey()).append('=').append(e.getValue()));
        return line.toString();
    }

    private static void require(Pattern pattern, String value, String what) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("bad " + what + ": " + value);
        }
    }
}
