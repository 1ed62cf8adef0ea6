package io.gvproxy.ffm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs one scenario of a scenarios class (its {@code main(scenario)} prints {@code scenario <name> passed}) in a
 * child JVM inside a network namespace made for it and deleted in a finally block, so that interfaces, sysctls
 * and packets of the test never touch the host's network.
 */
final class NetnsScenario {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private NetnsScenario() {
    }

    /**
     * Runs {@code scenario} of {@code scenarios} in a fresh namespace named from {@code prefix}; fails unless it
     * passes within {@code timeoutSeconds}.
     */
    static void run(String prefix, Class<?> scenarios, String scenario, int timeoutSeconds) throws Exception {
        String ns = prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        exec(List.of("ip", "netns", "add", ns), 10);
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String out = exec(List.of("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), scenarios.getName(), scenario), timeoutSeconds);
            System.out.print(out);
            assertTrue(out.contains("scenario " + scenario + " passed"), out);
        } finally {
            exec(List.of("ip", "netns", "del", ns), 10);
        }
        assertFalse(exec(List.of("ip", "netns", "list"), 10).contains(ns), "namespace " + ns + " removed");
    }

    /** Whether the ip command is installed. */
    static boolean hasIp() {
        return Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
    }

    /** Whether this JVM runs as root (namespaces need CAP_SYS_ADMIN). */
    static boolean isRoot() throws Exception {
        return "0".equals(exec(List.of("id", "-u"), 10).trim());
    }

    /** The output of {@code cmd}; fails if it runs longer than {@code timeoutSeconds} or exits non-zero. */
    static String exec(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}
