package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace for one path's guest, named by the run. Its /etc/netns/NAME/resolv.conf (which {@code ip netns
 * exec} mounts over /etc/resolv.conf) names 127.0.0.1, where no resolver listens, so nothing in the guest can resolve
 * a real name. The name is appended to {@code <stateDir>/netns} before it is created, so that jmh/bin/net-harness
 * can delete it even if this JVM is killed. {@link #close} deletes the namespace and that file by name.
 */
final class Namespace implements AutoCloseable {
    private static final Path NETNS_ETC = Path.of("/etc/netns");
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private final String name;
    private final Spawner spawner;
    private final Path etcDir;
    private boolean created;

    private Namespace(String name, Spawner spawner) {
        this.name = name;
        this.spawner = spawner;
        this.etcDir = NETNS_ETC.resolve(name);
    }

    static Namespace create(String name, Spawner spawner, Path stateDir) throws IOException {
        Namespace ns = new Namespace(name, spawner);
        Files.writeString(stateDir.resolve("netns"), name + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        try {
            Files.createDirectories(ns.etcDir);
            Files.writeString(ns.etcDir.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
            spawner.mustRun(LIMIT, List.of("ip", "netns", "add", name));
            ns.created = true;
            ns.mustExec("ip", "link", "set", "lo", "up");
            return ns;
        } catch (RuntimeException | IOException e) {
            ns.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    Path path() {
        return Path.of("/run/netns", name);
    }

    /** {@code ip netns exec NAME command...}: ip execs the command, so the pid of the process is the command's. */
    List<String> inside(String... command) {
        return inside(List.of(command));
    }

    List<String> inside(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    String mustExec(String... command) {
        return spawner.mustRun(LIMIT, inside(command));
    }

    Spawner.Result exec(String... command) {
        return spawner.run(LIMIT, inside(command));
    }

    @Override
    public void close() {
        if (created) {
            created = !spawner.run(LIMIT, List.of("ip", "netns", "del", name)).ok();
        }
        try {
            Files.deleteIfExists(etcDir.resolve("resolv.conf"));
            Files.deleteIfExists(etcDir);
        } catch (IOException e) {
            System.err.println("net-harness: cannot remove " + etcDir + ": " + e);
        }
        if (created) {
            System.err.println("net-harness: cannot delete namespace " + name);
        }
    }
}
