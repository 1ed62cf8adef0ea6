package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The runtime image {@code cli/target/image} that {@code cli/bin/build-image} makes, built on first use
 * when it is missing or older than gvproxy.jar. Only a JVM without jlink/jdeps (a JRE) skips the tests
 * that need it; any other build failure fails them.
 */
record RuntimeImage(Path dir) {
    private static final Duration BUILD_LIMIT = Duration.ofMinutes(10);

    /** The image beside the configured gvproxy.jar, built with the JDK that runs the tests. */
    static synchronized RuntimeImage require() {
        Path jar = Rig.configuredGvproxyJar();
        Path dir = jar.resolveSibling("image");
        Path root = jar.getParent().getParent().getParent();
        Path javaHome = Path.of(System.getProperty("java.home"));
        for (String tool : List.of("jlink", "jdeps")) {
            if (!Files.isExecutable(javaHome.resolve("bin").resolve(tool))) {
                String why = "runtime image not built: " + javaHome + " has no bin/" + tool + " (a JRE, not a JDK)";
                System.out.println("SKIP " + why);
                Assumptions.abort(why);
            }
        }
        if (isStale(dir, jar)) {
            build(root, javaHome, dir);
        }
        return new RuntimeImage(dir);
    }

    Path bin(String command) {
        return dir.resolve("bin").resolve(command);
    }

    Path aotCache() {
        return dir.resolve("lib/gvproxy.aot");
    }

    /** Bytes of every regular file in the image, the AOT cache excluded. */
    long bytesWithoutAotCache() {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.equals(aotCache()))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The image's release file (jlink writes MODULES="..." there). */
    String release() {
        try {
            return Files.readString(dir.resolve("release"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isStale(Path dir, Path jar) {
        Path copied = dir.resolve("lib/gvproxy.jar");
        try {
            return !Files.isExecutable(dir.resolve("bin/gvproxy")) || !Files.isRegularFile(copied)
                    || Files.mismatch(jar, copied) != -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void build(Path root, Path javaHome, Path dir) {
        Path log = dir.resolveSibling("build-image.log");
        ProcessBuilder builder = new ProcessBuilder(root.resolve("cli/bin/build-image").toString())
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", javaHome.toString());
        System.out.println("building the runtime image (cli/bin/build-image, log " + log + ")");
        try {
            Process process = builder.start();
            if (!process.waitFor(BUILD_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("cli/bin/build-image did not finish within " + BUILD_LIMIT);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("cli/bin/build-image exited with " + process.exitValue() + ":\n" + output);
            }
            System.out.print(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the runtime image", e);
        }
    }
}
