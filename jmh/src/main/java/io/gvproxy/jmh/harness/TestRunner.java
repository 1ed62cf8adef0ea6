package io.gvproxy.jmh.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one repetition of one test on a ready path and measures CPU over it. Values by name: {@code gbps} (TCP,
 * receiver), {@code mbps} and {@code loss} (UDP, receiver), {@code rtps}, {@code p50}, {@code p99} (µs) and
 * {@code stalls} (RR), {@code connps}, {@code stalls}, {@code errors}, {@code p50} and {@code p99} (connect+close). Every iperf3 server is one-shot
 * ({@code -s -1}) and started for its test, so an aborted test cannot leave a busy server behind.
 */
final class TestRunner {
    private static final Duration SERVER_LIMIT = Duration.ofSeconds(10);
    private static final Duration SLACK = Duration.ofSeconds(30);
    /** Client JVMs in the guest: small and quick to start; C1 is plenty for one socket loop. */
    private static final List<String> CLIENT_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m",
            "-Xss512k");

    private final Spawner spawner;
    private final Toolbox tools;
    private final NetPath path;
    private final int iperfPort;
    private final int echoPort;
    private final int httpPort;
    private int sequence;

    TestRunner(Spawner spawner, Toolbox tools, NetPath path, int iperfPort, int echoPort, int httpPort) {
        this.spawner = spawner;
        this.tools = tools;
        this.path = path;
        this.iperfPort = iperfPort;
        this.echoPort = echoPort;
        this.httpPort = httpPort;
    }

    Measurement run(TestKind test, int seconds) {
        try {
            return switch (test) {
                case TCP_G2H -> iperf(test, true, seconds, List.of());
                case TCP_H2G -> iperf(test, false, seconds, List.of());
                case TCP_REV -> iperf(test, true, seconds, List.of("-R"));
                case UDP -> iperf(test, true, seconds, List.of("-u", "-b", "500M", "-l", "1400"));
                case RR -> javaClient(test, RrClient.class, echoPort, seconds);
                case CRR -> javaClient(test, CrrClient.class, httpPort, seconds);
            };
        } catch (RuntimeException | IOException e) {
            return Measurement.failed(test, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Measurement.failed(test, "interrupted");
        }
    }

    /** {@code fromGuest}: the client runs in the guest and dials the host's server; otherwise the other way round. */
    private Measurement iperf(TestKind test, boolean fromGuest, int seconds, List<String> extra)
            throws InterruptedException {
        String tag = path.id() + "-" + test.name().toLowerCase() + "-" + (++sequence);
        Process server;
        List<String> client = new ArrayList<>(List.of("iperf3", "-c"));
        if (fromGuest) {
            server = spawner.start("iperf3-server-" + tag, List.of("iperf3", "-s", "-1", "-B", path.hostBind(), "-p",
                    Integer.toString(iperfPort)));
            Readiness.awaitListening(server, iperfPort, SERVER_LIMIT);
            client.addAll(List.of(path.hostAlias(), "-p", Integer.toString(iperfPort)));
        } else {
            server = spawner.start("iperf3-server-" + tag, path.guest().inside("iperf3", "-s", "-1", "-p",
                    Integer.toString(NetPath.GUEST_PORT)));
            Readiness.awaitListening(server, NetPath.GUEST_PORT, SERVER_LIMIT);
            client.addAll(List.of(path.hostToGuest().getHostString(), "-p",
                    Integer.toString(path.hostToGuest().getPort())));
        }
        client.addAll(List.of("-t", Integer.toString(seconds), "-J"));
        client.addAll(extra);
        try {
            CpuMeter.Sample before = sample();
            Spawner.Result r = spawner.run(Duration.ofSeconds(seconds).plus(SLACK),
                    fromGuest ? path.guest().inside(client) : client);
            CpuMeter.Sample after = sample();
            IperfReport report = IperfReport.parse(r.output());
            if (!r.ok()) {
                return Measurement.failed(test, String.join(" ", client) + ": exit " + r.code());
            }
            Map<String, Double> values = new HashMap<>();
            if (test == TestKind.UDP) {
                values.put("mbps", report.bitsPerSecond() / 1e6);
                values.put("loss", report.lostPercent());
            } else {
                values.put("gbps", report.bitsPerSecond() / 1e9);
            }
            return measured(test, values, before, after);
        } finally {
            server.waitFor(2, TimeUnit.SECONDS);
            spawner.stop(server);
        }
    }

    private Measurement javaClient(TestKind test, Class<?> main, int port, int seconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tools.java()));
        command.addAll(CLIENT_JVM);
        command.addAll(List.of("-cp", tools.harnessJar(), main.getName(), path.hostAlias(), Integer.toString(port),
                Integer.toString(seconds)));
        Process p = spawner.startPiped(path.id() + "-" + test.name().toLowerCase(), path.guest().inside(command));
        CompletableFuture<CpuMeter.Sample> started = new CompletableFuture<>();
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("client-output").start(() -> readClient(p, started, result));
        try {
            boolean done = p.waitFor(Duration.ofSeconds(seconds).plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
            CpuMeter.Sample after = sample();
            if (!done) {
                return Measurement.failed(test, main.getSimpleName() + " did not finish in time");
            }
            String line = result.getNow(null);
            if (line == null || !started.isDone()) {
                return Measurement.failed(test, main.getSimpleName() + " exited with " + p.exitValue()
                        + " without a result (see " + path.id() + "-" + test.name().toLowerCase() + ".log)");
            }
            Map<String, String> fields = fields(line);
            Map<String, Double> values = new HashMap<>();
            double secs = Double.parseDouble(fields.get("seconds"));
            values.put("p50", Double.parseDouble(fields.get("p50us")));
            values.put("p99", Double.parseDouble(fields.get("p99us")));
            values.put("stalls", Double.parseDouble(fields.get("stalls")));
            if (test == TestKind.RR) {
                values.put("rtps", Double.parseDouble(fields.get("rtt")) / secs);
            } else {
                values.put("connps", Double.parseDouble(fields.get("ok")) / secs);
                values.put("errors", Double.parseDouble(fields.get("errors")));
                if (!"none".equals(fields.get("firsterror"))) {
                    System.err.println("net-harness: " + path.id() + " connect+close first error: "
                            + fields.get("firsterror"));
                }
            }
            if (p.exitValue() != 0) {
                return Measurement.failed(test, main.getSimpleName() + " exited with " + p.exitValue());
            }
            return measured(test, values, started.join(), after);
        } finally {
            spawner.stop(p);
        }
    }

    /** Reads the client's stdout: samples the CPU at "start", keeps the "result" line. */
    private void readClient(Process p, CompletableFuture<CpuMeter.Sample> started, CompletableFuture<String> result) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("start")) {
                    started.complete(sample());
                } else if (line.startsWith("result ")) {
                    result.complete(line);
                }
            }
        } catch (IOException e) {
            // Killed: whatever was read is what there is.
        }
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> m = new HashMap<>();
        for (String kv : line.substring("result ".length()).split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    private CpuMeter.Sample sample() {
        return CpuMeter.Sample.take(path.proxyPid(), path.forwarderPid());
    }

    private Measurement measured(TestKind test, Map<String, Double> values, CpuMeter.Sample from,
            CpuMeter.Sample to) {
        CpuMeter.Usage u = CpuMeter.Usage.between(from, to, path.proxyPid() >= 0, path.forwarderPid() >= 0);
        return new Measurement(test, values, u.proxy(), u.forwarder(), u.machine(), u.foreign(), null);
    }
}
