package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A private directory under /tmp for sockets: unix socket paths must stay under 108 bytes. */
final class ShortTempDir implements AutoCloseable {
    private final Path dir;

    private ShortTempDir(Path dir) {
        this.dir = dir;
    }

    static ShortTempDir create() {
        try {
            return new ShortTempDir(Files.createTempDirectory(Path.of("/tmp"), "gvp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path resolve(String name) {
        Path path = dir.resolve(name);
        if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 108) {
            throw new IllegalArgumentException("socket path too long for sun_path: " + path);
        }
        return path;
    }

    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
