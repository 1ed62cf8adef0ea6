package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Long-running programs a guest of the rig started (servers, say), each with stdout+stderr in its own log file
 * headed by the command line; {@link #stopAll} stops those still running, each by its own pid.
 */
final class LoggedProcesses {
    private final List<Process> started = new ArrayList<>();

    /** Starts {@code command} (stdin from /dev/null) and keeps it for {@link #stopAll}. */
    Process start(List<String> command, Path log) {
        Process p = startUntracked(command, log);
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    /** Starts {@code command} (stdin from /dev/null); the caller stops it. */
    static Process startUntracked(List<String> command, Path log) {
        try {
            Files.writeString(log, "# " + String.join(" ", command) + "\n");
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Stops every program {@link #start} started that still runs: SIGTERM, then SIGKILL after a grace period. */
    void stopAll() {
        List<Process> toStop;
        synchronized (started) {
            toStop = new ArrayList<>(started);
            started.clear();
        }
        for (Process p : toStop) {
            ForwarderNamespace.stop(p);
        }
    }
}
