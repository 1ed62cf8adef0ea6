package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runtime image from {@code cli/bin/build-image}: its launchers run on the image's own JVM with the AOT
 * cache (AOTMode=on turns an unusable cache into an error), it holds only the modules gvproxy needs, its
 * {@code bin/gvforwarder} runs, and a QEMU guest started by the image's {@code bin/qemu-wrapper} leases its address
 * from the image's {@code bin/gvproxy} by DHCP, then reaches the gateway (ARP, ping).
 */
class ImageIT {
    /** jlink output plus jars and launchers; the AOT cache (about 14 MB) is measured on its own. */
    private static final long RUNTIME_LIMIT_BYTES = 45L << 20;
    private static final String STRICT_AOT = "-XX:AOTMode=on";

    @Test
    void gvproxyVersionRunsOnTheImageWithItsAotCache() throws Exception {
        RuntimeImage image = RuntimeImage.require();
        String fromJar = run(List.of(GvproxyProcess.testJava(), "-jar", Rig.configuredGvproxyJar().toString(),
                "-version"), null);
        String fromImage = run(List.of(image.bin("gvproxy").toString(), "-version"), STRICT_AOT);
        assertTrue(fromImage.startsWith("gvproxy version "), "bin/gvproxy -version printed: " + fromImage);
        assertEquals(fromJar, fromImage, "the image runs the same gvproxy as gvproxy.jar");
    }

    @Test
    void gvforwarderVersionRunsOnTheImage() throws Exception {
        RuntimeImage image = RuntimeImage.require();
        String fromJar = run(List.of(GvproxyProcess.testJava(), "-jar",
                Rig.configuredGvproxyJar().resolveSibling("gvforwarder.jar").toString(), "-version"), null);
        String fromImage = run(List.of(image.bin("gvforwarder").toString(), "-version"), STRICT_AOT);
        assertTrue(fromImage.startsWith("gvforwarder version "), "bin/gvforwarder -version printed: " + fromImage);
        assertEquals(fromJar, fromImage, "the image runs the same gvforwarder as gvforwarder.jar");
    }

    @Test
    void imageHoldsOnlyTheModulesGvproxyNeeds() {
        RuntimeImage image = RuntimeImage.require();
        String modules = image.release().lines().filter(l -> l.startsWith("MODULES=")).findFirst().orElseThrow();
        assertTrue(modules.contains("java.base") && modules.contains("jdk.unsupported"), modules);
        assertFalse(modules.contains("java.sql"), "Gson's optional java.sql adapters must not pull java.sql in: "
                + modules);
        long bytes = image.bytesWithoutAotCache();
        System.out.printf("runtime image without AOT cache: %.1f MiB%n", bytes / 1048576.0);
        assertTrue(bytes <= RUNTIME_LIMIT_BYTES, "image without its AOT cache is " + bytes + " bytes");
    }

    @Test
    void guestThroughImageLaunchersLeasesAndReachesGateway() {
        Rig rig = Rig.require();
        RuntimeImage image = RuntimeImage.require();
        Path runDir = rig.runDir("image");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            QemuNetdev listen = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            Path socket = ((QemuNetdev.UnixStream) listen).socket();
            try (GvproxyProcess gvproxy = GvproxyProcess.startCommand(
                    List.of("env", "GVPROXY_JAVA_OPTS=" + STRICT_AOT, image.bin("gvproxy").toString()),
                    runDir, Listener.of(listen), QemuGatewayIT.qemuFlags(listen))) {
                List<String> checks = List.of("netdev", "dhcp", "arp", "ping");
                GuestSpec spec = GuestSpec.checks(checks.toArray(String[]::new));
                List<String> command = new ArrayList<>(List.of(image.bin("qemu-wrapper").toString(),
                        socket.toString()));
                command.addAll(QemuGuest.qemuCommand(rig, "socket,id=n0,fd=3", spec));
                GuestResult result = QemuGuest.run(runDir, "guest", spec, command);
                result.assertPassed(checks);
                String lease = result.check("dhcp").orElseThrow().detail();
                assertTrue(lease.contains("ip=" + Rig.GUEST_IP + "/24") && lease.contains("router=" + Rig.GATEWAY_IP),
                        "lease from the image's gvproxy: " + lease);
                String arp = result.check("arp").orElseThrow().detail();
                assertTrue(arp.contains("is-at " + Rig.GATEWAY_MAC), "gateway ARP reply: " + arp);
                System.out.println("image qemu-wrapper fd=3 to image gvproxy: lease " + lease + "; ping "
                        + result.check("ping").orElseThrow().detail());
                assertEquals(0, result.exitCode(), "qemu-wrapper returns QEMU's status");
                GatewayChecks.assertCleanStop(gvproxy);
            }
        }
    }

    /** Runs a short command (bounded), with GVPROXY_JAVA_OPTS when given, and returns its trimmed stdout. */
    private static String run(List<String> command, String javaOpts) throws Exception {
        Path out = Files.createTempFile("image-it", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (javaOpts != null) {
                builder.environment().put("GVPROXY_JAVA_OPTS", javaOpts);
            }
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within 60 s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).trim();
            assertEquals(0, process.exitValue(), command + " exit status; output:\n" + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
