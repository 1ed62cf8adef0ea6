package io.gvproxy.jmh.harness;

import java.util.Map;

/**
 * One repetition of one test on one path: its numbers by name (see {@link TestRunner}), CPU as % of one core over
 * the measured interval (proxy, forwarder, the whole machine, and "foreign": what processes this run did not start
 * used), and a failure text when the test produced no valid result.
 */
record Measurement(TestKind test, Map<String, Double> values, double proxyCpu, double forwarderCpu,
        double machineBusy, double foreignCpu, String failure) {
    static Measurement failed(TestKind test, String failure) {
        return new Measurement(test, Map.of(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, failure);
    }

    boolean ok() {
        return failure == null;
    }

    double value(String name) {
        return values.getOrDefault(name, Double.NaN);
    }
}
