package io.gvproxy.jmh.harness;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;

/** The receiver's numbers from {@code iperf3 -J}: {@code end.sum_received}, as peer-baseline.md reports them. */
record IperfReport(double bitsPerSecond, double lostPercent) {
    /** Parses iperf3's JSON; throws with iperf3's own "error" text when it reported one. */
    static IperfReport parse(String json) {
        JsonObject root;
        try {
            int brace = json.indexOf('{');
            root = JsonParser.parseString(brace < 0 ? json : json.substring(brace)).getAsJsonObject();
        } catch (JsonSyntaxException | IllegalStateException e) {
            throw new IllegalStateException("iperf3 output is not JSON: " + abbreviate(json));
        }
        if (root.has("error")) {
            throw new IllegalStateException("iperf3: " + root.get("error").getAsString());
        }
        JsonObject end = root.getAsJsonObject("end");
        JsonObject received = end == null ? null : end.getAsJsonObject("sum_received");
        if (received == null) {
            throw new IllegalStateException("iperf3 JSON without end.sum_received: " + abbreviate(json));
        }
        double lost = received.has("lost_percent") ? received.get("lost_percent").getAsDouble() : 0;
        return new IperfReport(received.get("bits_per_second").getAsDouble(), lost);
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 400 ? t : t.substring(0, 400) + "...";
    }
}
