package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.link.FlushingChannel;
import io.gvproxy.core.link.StreamFraming;
import io.gvproxy.core.link.StreamLink;
import io.gvproxy.core.stats.Counters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * gvproxy under test: {@code java -jar gvproxy.jar FLAGS} with the JVM that runs the tests (or another
 * launcher, {@link #startCommand}), cwd
 * the run directory and stdout+stderr in {@code <runDir>/gvproxy.log}. {@link #start} returns once
 * the listener the test named is up, without connecting to it (a qemu listener treats any
 * connection as a guest).
 */
final class GvproxyProcess implements AutoCloseable {
    /**
     * Exit codes that count as a clean stop on SIGTERM: 0, the JVM's 128+15, and 1, which upstream
     * gvproxy returns for every signal ("gvproxy exiting: signal caught").
     */
    static final Set<Integer> CLEAN_TERM_EXIT_CODES = Set.of(0, 1, 143);

    private static final Duration READY_LIMIT = Duration.ofSeconds(30);
    private static final Duration TERM_GRACE = Duration.ofSeconds(5);

    /**
     * How the process stopped: whether it was still running when asked to stop (a gvproxy that
     * exited on its own is never a clean stop), its exit code, and whether SIGTERM was ignored so
     * it needed SIGKILL.
     */
    record Exit(boolean wasRunning, int code, boolean killed) {
        boolean clean() {
            return wasRunning && !killed && CLEAN_TERM_EXIT_CODES.contains(code);
        }
    }

    private final Process process;
    private final Path log;
    private final boolean stdioPipes;

    private GvproxyProcess(Process process, Path log, boolean stdioPipes) {
        this.process = process;
        this.log = log;
        this.stdioPipes = stdioPipes;
    }

    /** Starts gvproxy and waits (bounded) until {@code ready} is listening. */
    static GvproxyProcess start(Rig rig, Path runDir, Listener ready, List<String> flags) {
        return start(rig.gvproxyJar(), runDir, ready, flags);
    }

    /** The same for tests that need no QEMU rig (network-namespace guests). */
    static GvproxyProcess start(Path gvproxyJar, Path runDir, Listener ready, List<String> flags) {
        return launch(jarLauncher(gvproxyJar), runDir, ready, flags, false);
    }

    /**
     * Starts gvproxy through another launcher than {@code java -jar} (the runtime image's
     * {@code bin/gvproxy}, with any JVM of its own): {@code launcher} is the command before the flags.
     */
    static GvproxyProcess startCommand(List<String> launcher, Path runDir, Listener ready, List<String> flags) {
        return launch(launcher, runDir, ready, flags, false);
    }

    /**
     * Starts gvproxy with {@code -listen-stdio accept} added and its stdin/stdout left as pipes to this
     * JVM ({@link #stdioLink}); only stderr (the log) goes to gvproxy.log.
     */
    static GvproxyProcess startWithStdioLink(Path gvproxyJar, Path runDir, Listener ready, List<String> flags) {
        List<String> all = new ArrayList<>(flags);
        all.addAll(List.of("-listen-stdio", "accept"));
        return launch(jarLauncher(gvproxyJar), runDir, ready, all, true);
    }

    /**
     * gvproxy's -listen-stdio link seen from this side: frames gvproxy writes to its stdout are
     * received, frames sent go to its stdin (HyperKit framing). Closing the link closes gvproxy's stdin,
     * which makes it exit.
     */
    StreamLink stdioLink(Counters counters) {
        if (!stdioPipes) {
            throw new IllegalStateException("gvproxy was not started with startWithStdioLink");
        }
        return new StreamLink("gvproxy-stdio", Channels.newChannel(process.getInputStream()),
                new FlushingChannel(process.getOutputStream()), StreamFraming.HYPERKIT, counters);
    }


    private static List<String> jarLauncher(Path gvproxyJar) {
        assertTrue(Files.isRegularFile(gvproxyJar),
                "gvproxy.jar not found at " + gvproxyJar + " (build it: ./mvnw -B verify -pl it -am)");
        return List.of(testJava(), "-jar", gvproxyJar.toString());
    }

    private static GvproxyProcess launch(List<String> launcher, Path runDir, Listener ready, List<String> flags,
            boolean stdioPipes) {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(flags);
        // The network rule: guests under test may reach the host's loopback and nothing else, unless a test
        // sets its own policy (which must still name only loopback and its own namespaces).
        if (flags.stream().noneMatch(f -> f.startsWith("-egress-"))) {
            command.addAll(List.of("-egress-allow", "127.0.0.0/8"));
        }
        Path log = runDir.resolve("gvproxy.log");
        Process process;
        try {
            Files.writeString(log, "# " + String.join(" ", command) + "\n");
            ProcessBuilder builder = new ProcessBuilder(command).directory(runDir.toFile());
            if (stdioPipes) {
                builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            } else {
                builder.redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        GvproxyProcess gvproxy = new GvproxyProcess(process, log, stdioPipes);
        gvproxy.awaitListening(ready);
        return gvproxy;
    }

    /** The java launcher of the JVM running the tests. */
    static String testJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** True if gvproxy exits within the given time; used to catch an exit that follows a guest leaving. */
    boolean exitsWithin(Duration wait) {
        try {
            return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while watching gvproxy", e);
        }
    }

    Path log() {
        return log;
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(gvproxy log unreadable: " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; both by this process's own pid. */
    Exit stop() {
        try {
            if (!process.isAlive()) {
                return new Exit(false, process.exitValue(), false);
            }
            process.destroy();
            if (process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Exit(true, process.exitValue(), false);
            }
            process.destroyForcibly();
            process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return new Exit(true, process.isAlive() ? -1 : process.exitValue(), true);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping gvproxy", e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    private void awaitListening(Listener ready) {
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        try {
            while (!ready.isListening()) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("gvproxy exited with " + process.exitValue() + " before "
                            + ready + " was listening\n--- " + log + " ---\n" + logText());
                }
                if (System.nanoTime() > deadline) {
                    stop();
                    throw new IllegalStateException("gvproxy did not listen on " + ready + " within "
                            + READY_LIMIT + "\n--- " + log + " ---\n" + logText());
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for gvproxy", e);
        }
    }
}
