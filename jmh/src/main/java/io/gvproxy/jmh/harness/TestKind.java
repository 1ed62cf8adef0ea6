package io.gvproxy.jmh.harness;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The tests of one path, in the order they run (connect+close last: a proxy that stalls under churn stalls last). */
enum TestKind {
    TCP_G2H("guest→host TCP", 10, 2),
    TCP_H2G("host→guest TCP (forward)", 10, 2),
    TCP_REV("host→guest TCP (-R)", 4, 1),
    UDP("UDP 500 Mbit/s", 3, 1),
    RR("request/response", 3, 1),
    CRR("connect+close", 3, 1);

    private final String label;
    private final int fullSeconds;
    private final int smokeSeconds;

    TestKind(String label, int fullSeconds, int smokeSeconds) {
        this.label = label;
        this.fullSeconds = fullSeconds;
        this.smokeSeconds = smokeSeconds;
    }

    /** The name of this test in {@code --tests}: g2h, h2g, rev, udp, rr, crr. */
    String id() {
        return switch (this) {
            case TCP_G2H -> "g2h";
            case TCP_H2G -> "h2g";
            case TCP_REV -> "rev";
            case UDP -> "udp";
            case RR -> "rr";
            case CRR -> "crr";
        };
    }

    /** A comma-separated list of ids, in this enum's order whatever the list's. */
    static List<TestKind> parseList(String ids) {
        Set<String> wanted = new HashSet<>(List.of(ids.split(",")));
        List<TestKind> out = new ArrayList<>();
        for (TestKind t : values()) {
            if (wanted.remove(t.id())) {
                out.add(t);
            }
        }
        if (!wanted.isEmpty() || out.isEmpty()) {
            throw new IllegalArgumentException("unknown test in --tests " + ids + " (g2h, h2g, rev, udp, rr, crr)");
        }
        return List.copyOf(out);
    }

    String label() {
        return label;
    }

    int seconds(boolean smoke) {
        return smoke ? smokeSeconds : fullSeconds;
    }
}
