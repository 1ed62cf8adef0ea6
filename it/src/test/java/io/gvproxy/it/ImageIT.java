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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime image from {@code cli/bin/build-image}: at most 45 MB, with only the modules gvproxy needs and no AOT
 * cache in it; its launchers make the image's cache on first use in {@code $XDG_CACHE_HOME/gvproxy/} (one, whole,
 * even when two start at once) and map it from then on (AOTMode=on turns an unusable cache into an error);
 * {@code bin/gvforwarder} runs, and a QEMU guest started by the image's {@code bin/qemu-wrapper} leases its
 * address from the image's {@code bin/gvproxy} by DHCP, then reaches the gateway (ARP, ping).
 */
class ImageIT {
    /** Issue 9's limit for the image as shipped (and as the tarball unpacks). */
    private static final long IMAGE_LIMIT_BYTES = 45_000_000L;
    private static final String STRICT_AOT = "-XX:AOTMode=on";
    /** The JVM's line when it maps an AOT cache with its linked classes ({@code -Xlog:aot}). */
    private static final String CACHE_MAPPED = "Using AOT-linked classes: true";

    @Test
    void firstRunMakesTheAotCacheAndTheNextRunMapsIt(@TempDir Path home) throws Exception {
        RuntimeImage image = RuntimeImage.require();
        String fromJar = run(List.of(GvproxyProcess.testJava(), "-jar", Rig.configuredGvproxyJar().toString(),
                "-version"), null, null);
        List<String> version = List.of(image.bin("gvproxy").toString(), "-version");
        String first = run(version, "-Xlog:aot=info", home);
        assertFalse(first.contains(CACHE_MAPPED), "no cache yet, and the run does not wait for one: " + first);
        assertTrue(first.endsWith(fromJar), "the image runs the same gvproxy as gvproxy.jar: " + first);
        Path cache = image.awaitTrainingIn(home);
        String second = run(version, STRICT_AOT + " -Xlog:aot=info", home);
        assertTrue(second.contains(CACHE_MAPPED), "second run, with " + cache + ":\n" + second);
        assertTrue(second.endsWith(fromJar), "the image runs the same gvproxy as gvproxy.jar: " + second);
    }

    @Test
    void concurrentFirstStartsLeaveOneWholeCache(@TempDir Path home) throws Exception {
        RuntimeImage image = RuntimeImage.require();
        List<Process> starts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ProcessBuilder b = new ProcessBuilder(image.bin("gvproxy").toString(), "-version")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            b.environment().put("XDG_CACHE_HOME", home.toString());
            starts.add(b.start());
        }
        for (Process p : starts) {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/gvproxy -version did not finish within 60 s");
            }
            assertEquals(0, p.exitValue());
        }
        Path cache = image.awaitTrainingIn(home);
        try (Stream<Path> left = Files.list(cache.getParent())) {
            assertEquals(List.of(cache), left.toList(), "one cache, no temporary files or locks left");
        }
        String mapped = run(List.of(image.bin("gvproxy").toString(), "-version"), STRICT_AOT + " -Xlog:aot=info",
                home);
        assertTrue(mapped.contains(CACHE_MAPPED), mapped);
    }

    @Test
    void gvforwarderVersionRunsOnTheImage() throws Exception {
        RuntimeImage image = RuntimeImage.require();
        String fromJar = run(List.of(GvproxyProcess.testJava(), "-jar",
                Rig.configuredGvproxyJar().resolveSibling("gvforwarder.jar").toString(), "-version"), null, null);
        String fromImage = run(List.of(image.bin("gvforwarder").toString(), "-version"), STRICT_AOT,
                image.trainedCacheHome());
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
        assertFalse(Files.exists(image.aotCache()), "the image ships no AOT cache (it is made on first use)");
        long bytes = image.bytes();
        System.out.printf("runtime image: %d bytes%n", bytes);
        assertTrue(bytes <= IMAGE_LIMIT_BYTES, "image is " + bytes + " bytes");
    }

    @Test
    void guestThroughImageLaunchersLeasesAndReachesGateway() throws Exception {
        Rig rig = Rig.require();
        RuntimeImage image = RuntimeImage.require();
        Path runDir = rig.runDir("image");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            QemuNetdev listen = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            Path socket = ((QemuNetdev.UnixStream) listen).socket();
            try (GvproxyProcess gvproxy = GvproxyProcess.startCommand(
                    List.of("env", "GVPROXY_JAVA_OPTS=" + STRICT_AOT, "XDG_CACHE_HOME=" + image.trainedCacheHome(),
                            image.bin("gvproxy").toString()),
                    runDir, Listener.of(listen), QemuGatewayIT.qemuFlags(listen))) {
                List<String> checks = List.of("netdev", "dhcp", "arp", "ping");
                GuestSpec spec = GuestSpec.checks(checks.toArray(String[]::new));
                // Every launcher makes or maps the cache: this one too must not train into the real HOME.
                List<String> command = new ArrayList<>(List.of("env", "XDG_CACHE_HOME=" + image.trainedCacheHome(),
                        image.bin("qemu-wrapper").toString(), socket.toString()));
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

    /**
     * Runs a short command (bounded), with GVPROXY_JAVA_OPTS and XDG_CACHE_HOME when given, and returns its trimmed
     * stdout and stderr.
     */
    private static String run(List<String> command, String javaOpts, Path cacheHome) throws Exception {
        Path out = Files.createTempFile("image-it", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (javaOpts != null) {
                builder.environment().put("GVPROXY_JAVA_OPTS", javaOpts);
            }
            if (cacheHome != null) {
                builder.environment().put("XDG_CACHE_HOME", cacheHome.toString());
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
