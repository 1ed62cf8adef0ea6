package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The runtime image {@code cli/target/image} that {@code cli/bin/build-image} makes, built on first use
 * when it is missing or older than gvproxy.jar. Only a JVM without jlink/jdeps (a JRE) skips the tests
 * that need it; any other build failure fails them. The image ships no AOT cache: its launchers make one per
 * user on first use (see {@link #firstUseCache}).
 */
record RuntimeImage(Path dir) {
    private static final Duration BUILD_LIMIT = Duration.ofMinutes(10);
    /** The background training runs at nice 19: on a loaded CI machine it can take minutes. */
    private static final Duration TRAINING_LIMIT = Duration.ofMinutes(5);
    private static Path trainedHome;

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

    /** Bytes of every regular file in the image. */
    long bytes() {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
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

    /**
     * An XDG_CACHE_HOME holding this image's first-use AOT cache, made once per test run (beside the image, emptied
     * first so that caches of earlier builds do not linger), for tests that run the launchers with the cache.
     */
    Path trainedCacheHome() throws IOException, InterruptedException {
        synchronized (RuntimeImage.class) {
            Path home = dir.resolveSibling("image-cache-home");
            if (!home.equals(trainedHome)) {
                deleteTree(home);
                Files.createDirectories(home);
                firstUseCache(home);
                trainedHome = home;
            }
            return home;
        }
    }

    /** Waits for the training a launcher started under {@code cacheHome} and returns the cache it made. */
    Path awaitTrainingIn(Path cacheHome) throws IOException, InterruptedException {
        return awaitTraining(cacheHome.resolve("gvproxy"));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Starts {@code bin/gvproxy -version} with {@code XDG_CACHE_HOME=cacheHome} (which makes the launcher start
     * training this image's AOT cache in the background when it has none there), waits for the training to end
     * and returns the cache it made, {@code cacheHome/gvproxy/gvproxy-<image id>.aot}.
     */
    private Path firstUseCache(Path cacheHome) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(bin("gvproxy").toString(), "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("XDG_CACHE_HOME", cacheHome.toString());
        Process p = builder.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/gvproxy -version failed or hung");
        }
        return awaitTraining(cacheHome.resolve("gvproxy"));
    }

    /** Waits until no training holds its lock in {@code dir} and returns the one cache there. */
    private static Path awaitTraining(Path dir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TRAINING_LIMIT.toNanos();
        while (true) {
            List<Path> entries;
            try (Stream<Path> s = Files.list(dir)) {
                entries = s.toList();
            }
            boolean training = entries.stream().anyMatch(p -> p.getFileName().toString().endsWith(".lock"));
            List<Path> caches = entries.stream().filter(p -> p.getFileName().toString().endsWith(".aot")).toList();
            if (!training) {
                if (caches.size() != 1) {
                    throw new IllegalStateException("after training, " + dir + " holds " + entries + failedLog(entries));
                }
                return caches.getFirst();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("AOT cache training still running after " + TRAINING_LIMIT + ": " + entries);
            }
            Thread.sleep(200);
        }
    }

    private static String failedLog(List<Path> entries) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path p : entries) {
            if (p.getFileName().toString().endsWith(".failed")) {
                b.append("\n").append(p).append(":\n").append(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return b.toString();
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
