package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * "The internet" for NAT tests: a network namespace {@code gvi-<pid>-<n>} joined to the host by a veth pair on
 * {@value #SUBNET} (host side {@value #HOST_IP}, namespace side {@value #ADDRESS}). The namespace has no default
 * route and the host routes only that /24 to it, so whatever gvproxy dials there stays on this machine. Servers run
 * inside with {@link #spawn}; {@link #close} kills them by their own pids and deletes the namespace (which takes
 * the veth pair with it) by its own name.
 *
 * <p>The subnet is fixed, so two of these cannot exist at once on one host: {@link #create} waits (bounded) while
 * another holds it and then fails naming the holder.
 */
final class InternetNamespace implements AutoCloseable {
    static final String SUBNET = "10.200.0.0/24";
    static final String HOST_IP = "10.200.0.1";
    static final String ADDRESS = "10.200.0.2";
    /** An address in the subnet nothing answers for. */
    static final String MISSING = "10.200.0.99";

    private static final Duration SUBNET_WAIT = Duration.ofSeconds(120);
    private static final Duration READY_LIMIT = Duration.ofSeconds(30);
    private static final Duration LINK_GONE_LIMIT = Duration.ofSeconds(5);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String name;
    private final String hostLink;
    private final String innerLink;
    private final Path runDir;
    private final List<Process> spawned = new ArrayList<>();
    private boolean namespaceCreated;

    private InternetNamespace(Path runDir) {
        long pid = ProcessHandle.current().pid();
        int n = SEQUENCE.incrementAndGet();
        this.name = "gvi-" + pid + "-" + n;
        // Interface names have at most 15 characters.
        this.hostLink = "vi" + pid + "h" + n;
        this.innerLink = "vi" + pid + "n" + n;
        this.runDir = runDir;
    }

    /** Creates the namespace and the veth pair, both ends addressed and up; logs of servers go to runDir. */
    static InternetNamespace create(Path runDir) {
        awaitSubnetFree();
        InternetNamespace ns = new InternetNamespace(runDir);
        try {
            ns.mustRun(List.of("ip", "netns", "add", ns.name));
            ns.namespaceCreated = true;
            ns.mustRun(List.of("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", ns.innerLink,
                    "netns", ns.name));
            ns.mustRun(List.of("ip", "addr", "add", HOST_IP + "/24", "dev", ns.hostLink));
            ns.mustRun(List.of("ip", "link", "set", ns.hostLink, "up"));
            ns.mustRun(ns.inside("ip", "link", "set", "lo", "up"));
            ns.mustRun(ns.inside("ip", "addr", "add", ADDRESS + "/24", "dev", ns.innerLink));
            ns.mustRun(ns.inside("ip", "link", "set", ns.innerLink, "up"));
            return ns;
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    /** The veth end inside the namespace (for tc, say). */
    String innerLink() {
        return innerLink;
    }

    /** {@code ip netns exec NAME command...} (which execs the command, so its pid is the command's own). */
    List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    /** Runs {@code command} inside, killed by its pid at {@code limit}. */
    ForwarderNamespace.Result exec(Duration limit, String... command) {
        return ForwarderNamespace.run(inside(command), limit);
    }

    /**
     * Starts a long-running command inside with stdout+stderr in {@code <runDir>/internet.<logName>.log};
     * {@link #close} stops it if it still runs.
     */
    Process spawn(String logName, String... command) {
        List<String> full = inside(command);
        Path log = logOf(logName);
        try {
            Files.writeString(log, "# " + String.join(" ", full) + "\n");
            Process p = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            synchronized (spawned) {
                spawned.add(p);
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + full, e);
        }
    }

    /** Starts {@code command} like {@link #spawn} and waits (bounded) until its log has a line starting with {@code ready}. */
    Process spawnAndAwait(String logName, String ready, String... command) {
        Process p = spawn(logName, command);
        Path log = logOf(logName);
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String text = ForwarderNamespace.read(log);
                if (text.lines().anyMatch(l -> l.startsWith(ready))) {
                    return p;
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException(logName + " exited with " + p.exitValue() + "\n" + text);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + logName, e);
        }
        throw new IllegalStateException(logName + " not ready within " + READY_LIMIT + "\n" + ForwarderNamespace.read(log));
    }

    Path logOf(String logName) {
        return runDir.resolve("internet." + logName + ".log");
    }

    @Override
    public void close() {
        List<Process> toStop;
        synchronized (spawned) {
            toStop = new ArrayList<>(spawned);
            spawned.clear();
        }
        toStop.forEach(ForwarderNamespace::stop);
        String failure = null;
        if (namespaceCreated) {
            ForwarderNamespace.Result deleted = ForwarderNamespace.run(List.of("ip", "netns", "del", name));
            namespaceCreated = !deleted.ok();
            if (namespaceCreated) {
                failure = "cannot delete namespace " + name + ": " + deleted;
            }
        }
        // Deleting the namespace destroys the inner end and, a moment later, the pair; this catches a half-made one.
        if (!hostLinkGone()) {
            ForwarderNamespace.Result deleted = ForwarderNamespace.run(List.of("ip", "link", "del", hostLink));
            if (!deleted.ok() && linkExists()) {
                failure = (failure == null ? "" : failure + "; ") + "cannot delete " + hostLink + ": " + deleted;
            }
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private boolean linkExists() {
        return ForwarderNamespace.run(List.of("ip", "link", "show", hostLink)).ok();
    }

    /** Waits (bounded) for the host end to disappear after its peer's namespace was deleted. */
    private boolean hostLinkGone() {
        long deadline = System.nanoTime() + LINK_GONE_LIMIT.toNanos();
        while (linkExists()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void mustRun(List<String> command) {
        ForwarderNamespace.Result r = ForwarderNamespace.run(command);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + r);
        }
    }

    private static void awaitSubnetFree() {
        long deadline = System.nanoTime() + SUBNET_WAIT.toNanos();
        String holder = "";
        while (System.nanoTime() < deadline) {
            holder = ForwarderNamespace.run(List.of("ip", "-4", "-o", "route", "show", "to", "match", ADDRESS))
                    .output().lines().filter(l -> !l.startsWith("default")).findFirst().orElse("");
            if (holder.isBlank()) {
                return;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + SUBNET, e);
            }
        }
        throw new IllegalStateException(SUBNET + " is still routed on this host after " + SUBNET_WAIT
                + " (another test's internet namespace?): " + holder);
    }
}
