package io.gvproxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What a network-namespace guest test needs from the host: root (namespaces, tap devices),
 * /dev/net/tun, {@code ip} (iproute2) and the tools the test names (for example {@code ping} from
 * iputils-ping). A missing one skips the test with the reason; CI installs them all.
 */
record NetnsRig(Path gvproxyJar, Path workDir) {
    static NetnsRig require(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("not running as root (network namespaces and tap devices need it)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun is absent");
        }
        if (Rig.onPath("ip").isEmpty()) {
            missing.add("ip not on PATH (Debian package iproute2)");
        }
        for (String tool : tools) {
            if (Rig.onPath(tool).isEmpty()) {
                missing.add(tool + " not on PATH" + packageHint(tool));
            }
        }
        if (!missing.isEmpty()) {
            String why = "network-namespace rig unavailable: " + String.join("; ", missing);
            System.out.println("SKIP " + why);
            Assumptions.abort(why);
        }
        return new NetnsRig(Rig.configuredGvproxyJar(), Rig.configuredWorkDir());
    }

    /** An empty directory for one test's logs: it.work/runs/NAME. */
    Path runDir(String name) {
        return Rig.freshRunDir(workDir, name);
    }

    private static String packageHint(String tool) {
        return switch (tool) {
            case "ping" -> " (Debian package iputils-ping)";
            default -> "";
        };
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
