package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CI's run of the network harness: {@code jmh/bin/net-harness --smoke} (veth and our gvproxy at MTU 1500, one short
 * repetition of every test) must exit 0, which it does unless a test failed, a process died or a connection stalled
 * or failed; speed never fails it. The reactor builds jmh before it/ (it/ depends on it), so the harness finds its
 * jars current and starts at once.
 */
class PerfHarnessSmokeIT {
    /** The harness stays under 3 minutes; the margin covers a rebuild when the jars are older than the sources. */
    private static final Duration LIMIT = Duration.ofMinutes(8);

    @Test
    void smokeRunOfTheNetworkHarnessExitsZero() throws Exception {
        NetnsRig rig = NetnsRig.require("iperf3", "ping");
        Path root = rig.gvproxyJar().getParent().getParent().getParent();
        Path script = root.resolve("jmh/bin/net-harness");
        assertTrue(Files.isExecutable(script), script + " is missing");
        Path log = rig.runDir("net-harness-smoke").resolve("net-harness.log");
        Process p = new ProcessBuilder(List.of(script.toString(), "--smoke")).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        long started = System.nanoTime();
        boolean done = p.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            // SIGTERM to the script by its pid: its trap stops the harness, which ends its own processes.
            ForwarderNamespace.stop(p);
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertTrue(done, "net-harness --smoke did not finish within " + LIMIT + "\n" + output);
        assertEquals(0, p.exitValue(), "net-harness --smoke failed\n" + output);
        assertTrue(output.contains("| kernel veth |") && output.contains("| gvproxy (ours) MTU 1500 |"),
                "the report has both paths\n" + output);
        System.out.printf("net-harness --smoke passed in %.0f s%n", (System.nanoTime() - started) / 1e9);
    }
}
