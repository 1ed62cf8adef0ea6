package io.gvproxy.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * The DHCP client gvforwarder runs on a tap it created, as upstream: busybox {@code udhcpc} in the foreground that
 * quits after the lease, when it is on PATH; otherwise ISC {@code dhclient} in the foreground.
 */
final class DhcpClientCommand {
    private DhcpClientCommand() {
    }

    static List<String> forInterface(String iface, String pathEnv, Predicate<Path> isExecutable) {
        if (onPath("udhcpc", pathEnv, isExecutable)) {
            return List.of("udhcpc", "-f", "-q", "-i", iface, "-v");
        }
        return List.of("dhclient", "-4", "-d", "-v", iface);
    }

    static List<String> forInterface(String iface) {
        return forInterface(iface, System.getenv().getOrDefault("PATH", ""), Files::isExecutable);
    }

    /** Go's exec.LookPath for a bare name: an empty PATH element means the current directory. */
    static boolean onPath(String program, String pathEnv, Predicate<Path> isExecutable) {
        for (String dir : pathEnv.split(":", -1)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (isExecutable.test(candidate)) {
                return true;
            }
        }
        return false;
    }
}
