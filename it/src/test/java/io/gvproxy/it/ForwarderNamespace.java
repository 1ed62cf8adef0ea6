package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An empty network namespace for a guest-side program that makes its own interfaces (gvforwarder), named
 * {@code gvf-<pid>-<n>}. It gets its own /etc/netns/NAME/resolv.conf, which {@code ip netns exec} mounts over
 * /etc/resolv.conf, so a DHCP client script inside can never rewrite the host's. {@link #close} deletes the
 * namespace and that file by their own names.
 */
final class ForwarderNamespace implements AutoCloseable {
    private static final Path NETNS_ETC = Path.of("/etc/netns");
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static int sequence;

    private final String name;
    private final Path etcDir;
    private final boolean createdNetnsEtc;
    private boolean created;

    private ForwarderNamespace(String name) {
        this.name = name;
        this.etcDir = NETNS_ETC.resolve(name);
        this.createdNetnsEtc = !Files.isDirectory(NETNS_ETC);
    }

    static synchronized ForwarderNamespace create() {
        ForwarderNamespace ns = new ForwarderNamespace("gvf-" + ProcessHandle.current().pid() + "-" + (++sequence));
        try {
            Files.createDirectories(ns.etcDir);
            Files.writeString(ns.etcDir.resolve("resolv.conf"), "nameserver " + Rig.GATEWAY_IP + "\n");
            Result added = run(List.of("ip", "netns", "add", ns.name));
            if (added.code() != 0) {
                throw new IllegalStateException("ip netns add " + ns.name + ": " + added);
            }
            ns.created = true;
            Result lo = ns.exec("ip", "link", "set", "lo", "up");
            if (lo.code() != 0) {
                throw new IllegalStateException("lo up in " + ns.name + ": " + lo);
            }
            return ns;
        } catch (IOException e) {
            ns.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    /** {@code ip netns exec NAME command...}; {@code ip netns exec} execs it, so a kill hits the command itself. */
    List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    Result exec(String... command) {
        return run(inside(command));
    }

    /** {@link #exec(String...)} for a command that may need longer than the default limit (a bulk transfer). */
    Result exec(Duration limit, String... command) {
        return run(inside(command), limit);
    }

    /** Exit code (-1 when killed at the limit) and stdout+stderr of a finished command. */
    record Result(int code, String output) {
        boolean ok() {
            return code == 0;
        }

        @Override
        public String toString() {
            return "exit " + code + ":\n" + output;
        }
    }

    /** Runs {@code command} with stdout+stderr to a temporary file; killed by its own pid at {@link #LIMIT}. */
    static Result run(List<String> command) {
        return run(command, LIMIT);
    }

    /** {@link #run(List)} with another limit. */
    static Result run(List<String> command, Duration limit) {
        Path out = null;
        try {
            out = Files.createTempFile("gvf-cmd", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                stop(p);
            }
            return new Result(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // A leftover temp file is harmless.
                }
            }
        }
    }

    @Override
    public void close() {
        String failure = null;
        if (created) {
            Result deleted = run(List.of("ip", "netns", "del", name));
            created = deleted.code() != 0;
            if (created) {
                failure = "cannot delete namespace " + name + ": " + deleted;
            }
        }
        try {
            Files.deleteIfExists(etcDir.resolve("resolv.conf"));
            Files.deleteIfExists(etcDir);
            if (createdNetnsEtc) {
                try (var left = Files.list(NETNS_ETC)) {
                    if (left.findAny().isEmpty()) {
                        Files.deleteIfExists(NETNS_ETC);
                    }
                }
            }
        } catch (IOException e) {
            failure = (failure == null ? "" : failure + "; ") + "cannot remove " + etcDir + ": " + e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Stops {@code p} by its own pid: SIGTERM, then SIGKILL after a grace period. */
    static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
