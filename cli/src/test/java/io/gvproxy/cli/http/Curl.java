package io.gvproxy.cli.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the curl binary against a unix socket, bounded in time. */
public final class Curl {
    public record Result(int exit, String stdout, String stderr) {
    }

    private Curl() {
    }

    public static Result unix(Path socket, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--unix-socket",
                socket.toString()));
        cmd.addAll(List.of(args));
        Path errFile = Files.createTempFile("curl", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
        try {
            var out = p.getInputStream().readAllBytes();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                throw new AssertionError("curl did not end");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(errFile));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(errFile);
        }
    }
}
