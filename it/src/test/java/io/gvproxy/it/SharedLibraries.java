package io.gvproxy.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared libraries a host program loads, with the dynamic loader, as {@code ldd} names them (absolute paths as
 * the loader looks for them), so that an initramfs can carry a dynamically linked program.
 */
final class SharedLibraries {
    private SharedLibraries() {
    }

    static List<Path> of(Path program) {
        return parse(HostCommand.text(List.of("ldd", program.toString())));
    }

    /** {@code name => /path (0x...)} gives /path; a line that starts with a path (the loader) gives that path. */
    static List<Path> parse(String lddOutput) {
        List<Path> libraries = new ArrayList<>();
        for (String line : lddOutput.lines().map(String::strip).toList()) {
            String[] words = line.split("\\s+");
            int arrow = List.of(words).indexOf("=>");
            String path = arrow >= 0 && arrow + 1 < words.length ? words[arrow + 1] : words[0];
            if (path.startsWith("/")) {
                libraries.add(Path.of(path));
            }
        }
        return libraries;
    }
}
