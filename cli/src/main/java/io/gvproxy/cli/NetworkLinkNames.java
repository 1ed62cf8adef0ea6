package io.gvproxy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The network interfaces of this process's network namespace, from /proc/self/net/dev (which, unlike /sys/class/net,
 * always follows the namespace of the reading process).
 */
final class NetworkLinkNames {
    static final Path PROC_NET_DEV = Path.of("/proc/self/net/dev");

    private NetworkLinkNames() {
    }

    static List<String> current() throws IOException {
        return parse(Files.readAllLines(PROC_NET_DEV));
    }

    /** Every line "  NAME: counters..." after the two header lines. */
    static List<String> parse(List<String> lines) {
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon <= 0 || line.contains("|")) {
                continue;
            }
            String name = line.substring(0, colon).strip();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
