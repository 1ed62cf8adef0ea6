package io.gvproxy.jmh.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Everything measured on one path: the repetitions of each test, peak RSS, repeated repetitions and failures. */
final class PathResult {
    private final String id;
    private final String label;
    private final Map<TestKind, List<Measurement>> runs = new EnumMap<>(TestKind.class);
    private final List<String> failures = new ArrayList<>();
    private long proxyPeakKib = -1;
    private long forwarderPeakKib = -1;
    private int repeated;

    PathResult(String id, String label) {
        this.id = id;
        this.label = label;
    }

    String id() {
        return id;
    }

    String label() {
        return label;
    }

    void add(Measurement m) {
        runs.computeIfAbsent(m.test(), k -> new ArrayList<>()).add(m);
        if (!m.ok()) {
            failures.add(m.test().label() + ": " + m.failure());
        }
    }

    void fail(String why) {
        failures.add(why);
    }

    void countRepeated() {
        repeated++;
    }

    int repeated() {
        return repeated;
    }

    void peakRss(long proxyKib, long forwarderKib) {
        proxyPeakKib = Math.max(proxyPeakKib, proxyKib);
        forwarderPeakKib = Math.max(forwarderPeakKib, forwarderKib);
    }

    long proxyPeakKib() {
        return proxyPeakKib;
    }

    long forwarderPeakKib() {
        return forwarderPeakKib;
    }

    List<String> failures() {
        return failures;
    }

    List<Measurement> measurements() {
        return runs.values().stream().flatMap(List::stream).toList();
    }

    /** The successful repetitions' values of {@code f} for {@code test}, sorted; empty when none succeeded. */
    double[] values(TestKind test, ToDoubleFunction<Measurement> f) {
        return runs.getOrDefault(test, List.of()).stream().filter(Measurement::ok).mapToDouble(f)
                .filter(v -> !Double.isNaN(v)).sorted().toArray();
    }

    double[] values(TestKind test, String name) {
        return values(test, m -> m.value(name));
    }

    static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    @Override
    public String toString() {
        return id + " " + Arrays.toString(failures.toArray());
    }
}
