package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts every process of a run, with stdout+stderr in a log file of the run directory, and stops them by their own
 * pids. Each pid is appended with its start time to {@code <stateDir>/pids} so that jmh/bin/net-harness can still end
 * exactly these processes if this JVM itself is killed.
 */
final class Spawner {
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);

    /** Exit code (-1 when killed at its limit) and the output of a bounded command. */
    record Result(int code, String output) {
        boolean ok() {
            return code == 0;
        }

        @Override
        public String toString() {
            return "exit " + code + ": " + output.strip();
        }
    }

    private final Path runDir;
    private final Path pidFile;
    private final List<Process> live = new ArrayList<>();
    private int sequence;

    Spawner(Path runDir, Path stateDir) {
        this.runDir = runDir;
        this.pidFile = stateDir.resolve("pids");
    }

    Path runDir() {
        return runDir;
    }

    /** Starts a long-running {@code command} with its output in {@code <runDir>/<logName>.log}. */
    synchronized Process start(String logName, List<String> command) {
        Path log = runDir.resolve(logName + ".log");
        try {
            Files.writeString(log, "# " + String.join(" ", command) + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            track(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Starts {@code command} with stdout on a pipe for the caller and stderr in {@code <runDir>/<logName>.log}. */
    synchronized Process startPiped(String logName, List<String> command) {
        Path log = runDir.resolve(logName + ".log");
        try {
            Files.writeString(log, "# " + String.join(" ", command) + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            track(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs {@code command} to its end, at most {@code limit} (then killed by its pid); output to a log file too. */
    Result run(Duration limit, List<String> command) {
        Path out;
        synchronized (this) {
            out = runDir.resolve("cmd-" + (++sequence) + ".out");
        }
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            track(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        try {
            boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                stop(p);
            }
            untrack(p);
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            return new Result(done ? p.exitValue() : -1, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the output of " + command, e);
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /** {@link #run} that throws with the output when the command fails. */
    String mustRun(Duration limit, List<String> command) {
        Result r = run(limit, command);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + ": " + r);
        }
        return r.output();
    }

    private void track(Process p) throws IOException {
        synchronized (live) {
            live.add(p);
        }
        Files.writeString(pidFile, p.pid() + " " + ProcFs.startTime(p.pid()) + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private void untrack(Process p) {
        synchronized (live) {
            live.remove(p);
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; by the process's own pid. */
    void stop(Process p) {
        untrack(p);
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops every process still running, newest first. */
    void stopAll() {
        List<Process> all;
        synchronized (live) {
            all = new ArrayList<>(live);
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            stop(all.get(i));
        }
    }
}
