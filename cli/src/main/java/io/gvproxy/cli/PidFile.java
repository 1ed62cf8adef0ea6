package io.gvproxy.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The -pid-file: the decimal pid without a newline, written at start and removed at exit (as upstream). */
final class PidFile {
    private final Path path;

    private PidFile(Path path) {
        this.path = path;
    }

    static PidFile write(Path path) throws StartupException {
        try {
            Files.write(path, Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new StartupException("unable to write pid file " + path + ": " + StartupException.reason(e));
        }
        return new PidFile(path);
    }

    void remove() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Best effort at exit; a leftover pid file names a dead process and callers check liveness anyway.
        }
    }
}
