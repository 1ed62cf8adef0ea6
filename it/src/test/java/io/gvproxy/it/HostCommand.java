package io.gvproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short host tool (modinfo, busybox --list, xz) with a bounded wait and captures its stdout. */
final class HostCommand {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private HostCommand() {
    }

    static byte[] output(List<String> command) {
        return run(command, true);
    }

    /** stdout of {@code command} whatever its exit code (dig exits 9 when no answer came, say). */
    static String textAllowingFailure(List<String> command) {
        return new String(run(command, false), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] run(List<String> command, boolean mustSucceed) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        try (InputStream in = process.getInputStream()) {
            process.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    in.transferTo(out);
                } catch (IOException ignored) {
                    // The process was killed below; its partial output is discarded with it.
                }
            });
            if (!process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + LIMIT);
            }
            reader.join(LIMIT.toMillis());
            if (mustSucceed && process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + process.exitValue());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    static String text(List<String> command) {
        return new String(output(command), java.nio.charset.StandardCharsets.UTF_8);
    }
}
