package io.gvproxy.it;

import io.gvproxy.core.net.MacAddress;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A guest that is a Linux network namespace: the host kernel's own stack at native speed behind a tap
 * device that {@link TapPump} (a child JVM inside the namespace) connects to gvproxy. The namespace is
 * named {@code gvt-<pid>-<n>}; {@link #close} kills the pump and every process {@link #spawn} started (by
 * their own pids), then deletes the namespace by its name, also after a failed {@link #start}.
 *
 * <p>Logs go to {@code <runDir>/<name>.pump.log} (the pump's command line first).
 */
final class NetnsGuest implements AutoCloseable {
    static final String TAP = "tap0";
    static final Duration EXEC_LIMIT = Duration.ofSeconds(30);
    private static final Duration READY_LIMIT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final int OUTPUT_LIMIT = 1 << 20;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** What a command in the namespace did: exit code (-1 if killed at the limit) and stdout+stderr. */
    record Result(int exitCode, String output, boolean timedOut) {
        boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + (timedOut ? " (timed out)" : "") + ":\n" + output;
        }
    }

    private final String name;
    private final String namespace;
    private final Path runDir;
    private final LoggedProcesses spawned = new LoggedProcesses();
    private boolean namespaceCreated;
    private Process pump;
    private MacAddress mac;

    private NetnsGuest(String name, Path runDir) {
        this.name = name;
        this.runDir = runDir;
        this.namespace = "gvt-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    }

    /**
     * Creates the namespace, starts the pump against gvproxy's listener and configures {@value #TAP}
     * with {@code cidr} (for example 192.168.127.2/24), loopback up and a default route via
     * {@code gateway} (null: none). Returns once the tap is up and addressed.
     */
    static NetnsGuest start(Path runDir, String name, NetnsUplink uplink, String cidr, String gateway) {
        NetnsGuest guest = startUnaddressed(runDir, name, uplink);
        try {
            guest.mustRun("ip", "addr", "add", cidr, "dev", TAP);
            if (gateway != null) {
                guest.mustRun("ip", "route", "add", "default", "via", gateway, "dev", TAP);
            }
            return guest;
        } catch (RuntimeException | Error e) {
            guest.close();
            throw e;
        }
    }

    /**
     * Creates the namespace and starts the pump with {@value #TAP} up but without an address or route, for a
     * guest that configures itself (a DHCP client, say); loopback is up.
     */
    static NetnsGuest startUnaddressed(Path runDir, String name, NetnsUplink uplink) {
        NetnsGuest guest = new NetnsGuest(name, runDir);
        try {
            guest.createNamespace();
            guest.startPump(uplink);
            guest.mustRun("ip", "link", "set", "lo", "up");
            return guest;
        } catch (RuntimeException | Error e) {
            guest.close();
            throw e;
        }
    }

    /** {@link #start} with the default route via gvproxy's gateway 192.168.127.1. */
    static NetnsGuest start(Path runDir, String name, NetnsUplink uplink, String cidr) {
        return start(runDir, name, uplink, cidr, Rig.GATEWAY_IP);
    }

    String namespace() {
        return namespace;
    }

    /** The tap's MAC: the one gvproxy handed out in the VPNKit handshake, or the one the uplink named. */
    MacAddress mac() {
        return mac;
    }

    boolean pumpAlive() {
        return pump != null && pump.isAlive();
    }

    /** Runs {@code command} in the namespace and waits at most {@link #EXEC_LIMIT}. */
    Result exec(String... command) {
        return exec(EXEC_LIMIT, command);
    }

    /** Runs {@code command} in the namespace; killed (by its pid) when it exceeds {@code limit}. */
    Result exec(Duration limit, String... command) {
        return runBounded(inNamespace(command), limit);
    }

    /**
     * Starts a long-running command in the namespace (a server, say) with stdout+stderr in
     * {@code <runDir>/<name>.<logName>.log}; {@link #close} kills it if it is still running.
     */
    Process spawn(String logName, String... command) {
        return spawned.start(inNamespace(command), runDir.resolve(name + "." + logName + ".log"));
    }

    @Override
    public void close() {
        spawned.stopAll();
        if (pump != null) {
            try {
                // EOF on its stdin makes the pump close both links and exit by itself.
                pump.getOutputStream().close();
            } catch (IOException e) {
                // Already closed: stop() below still ends it.
            }
            try {
                pump.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop(pump);
        }
        if (namespaceCreated) {
            Result deleted = runBounded(List.of("ip", "netns", "del", namespace), EXEC_LIMIT);
            namespaceCreated = !deleted.ok();
            if (namespaceCreated) {
                throw new IllegalStateException("cannot delete namespace " + namespace + ": " + deleted);
            }
        }
    }

    private void createNamespace() {
        Result added = runBounded(List.of("ip", "netns", "add", namespace), EXEC_LIMIT);
        if (!added.ok()) {
            throw new IllegalStateException("ip netns add " + namespace + " failed: " + added);
        }
        namespaceCreated = true;
    }

    private void startPump(NetnsUplink uplink) {
        List<String> java = new ArrayList<>(List.of(GvproxyProcess.testJava(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), TapPump.class.getName()));
        java.addAll(uplink.pumpArguments());
        java.add(TAP);
        List<String> command = inNamespace(java.toArray(String[]::new));
        Path log = runDir.resolve(name + ".pump.log");
        CompletableFuture<String> ready = new CompletableFuture<>();
        try {
            BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
            out.write("# " + String.join(" ", command) + "\n");
            out.flush();
            pump = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread.ofPlatform().daemon().name("pump-log-" + name).start(() -> copyLog(pump.getInputStream(), out, ready));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        String line;
        try {
            line = ready.get(READY_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("tap pump not ready within " + READY_LIMIT + "\n" + logText(log));
        } catch (ExecutionException e) {
            throw new IllegalStateException("tap pump ended before it was ready\n" + logText(log), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the tap pump", e);
        }
        String[] fields = line.substring(TapPump.READY.length()).strip().split(" ");
        mac = MacAddress.parse(fields[1]);
    }

    private static void copyLog(InputStream in, BufferedWriter out, CompletableFuture<String> ready) {
        try (out; BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith(TapPump.READY)) {
                    ready.complete(line);
                }
            }
        } catch (IOException e) {
            // The pump was killed mid-line; the log has what it printed.
        }
        ready.completeExceptionally(new IllegalStateException("pump output ended without " + TapPump.READY));
    }

    private void mustRun(String... command) {
        Result result = exec(command);
        if (!result.ok()) {
            throw new IllegalStateException("in " + namespace + ": " + String.join(" ", command) + " failed: " + result);
        }
    }

    private List<String> inNamespace(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    /** {@code ip netns exec} execs the command, so the pid killed at the limit is the command's own. */
    private static Result runBounded(List<String> command, Duration limit) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> readBounded(process.getInputStream(), out));
        try {
            boolean timedOut = !process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (timedOut) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            reader.join(STOP_GRACE.toMillis());
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8);
            }
            return new Result(timedOut ? -1 : process.exitValue(), text, timedOut);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static void readBounded(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    // Past the limit the output is drained and dropped so the command never blocks on a full pipe.
                    if (out.size() < OUTPUT_LIMIT) {
                        out.write(buf, 0, Math.min(n, OUTPUT_LIMIT - out.size()));
                    }
                }
            }
        } catch (IOException e) {
            // The process was killed; its partial output is kept.
        }
    }

    private static void stop(Process process) {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String logText(Path log) {
        try {
            return "--- " + log + " ---\n" + Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(pump log unreadable: " + e + ")";
        }
    }
}
