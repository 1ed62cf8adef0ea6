package io.gvproxy.ffm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tap tests. Each runs {@link TapScenarios} in a child JVM inside a network namespace created here
 * ({@code ip netns add}) and deleted in a finally block, so no interface, address or packet touches the
 * host's network. Skipped, with the reason printed, when not root or without /dev/net/tun or ip.
 */
class TapLinkTest {
    private static final AtomicInteger SEQ = new AtomicInteger();

    @BeforeAll
    static void requirements() throws Exception {
        String reason = null;
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            reason = "/dev/net/tun is missing";
        } else if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            reason = "the ip command is missing";
        } else if (!"0".equals(exec(List.of("id", "-u"), 10).trim())) {
            reason = "not root (tap and network namespaces need CAP_NET_ADMIN)";
        }
        if (reason != null) {
            System.out.println("TapLinkTest skipped: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
    }

    private static String exec(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s");
            }
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    private static void inNamespace(String scenario) throws Exception {
        String ns = "ffmtap-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        exec(List.of("ip", "netns", "add", ns), 10);
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String out = exec(List.of("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), TapScenarios.class.getName(), scenario), 90);
            System.out.print(out);
            assertTrue(out.contains("scenario " + scenario + " passed"), out);
        } finally {
            exec(List.of("ip", "netns", "del", ns), 10);
        }
        assertFalse(exec(List.of("ip", "netns", "list"), 10).contains(ns), "namespace " + ns + " removed");
    }

    @Test
    void createConfigureAttachAndVerifyWithIp() throws Exception {
        inNamespace("configure");
    }

    @Test
    void kernelArpsForTheGatewayAndSendsUdpAfterOurReply() throws Exception {
        inNamespace("arp");
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        inNamespace("close");
    }
}
