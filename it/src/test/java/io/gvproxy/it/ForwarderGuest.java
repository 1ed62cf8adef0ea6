package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A real kernel guest for API tests: a {@link ForwarderNamespace} in which our gvforwarder joins gvproxy through
 * {@code POST /connect} on a {@code -listen} socket, makes tap0 with the default guest MAC and leases
 * {@value #LEASED_CIDR} with busybox udhcpc. Servers started with {@link #spawn} run inside the namespace with the
 * kernel's TCP/UDP; {@link #close} stops them, gvforwarder and the namespace, each by its own id.
 */
final class ForwarderGuest implements AutoCloseable {
    static final String LEASED_CIDR = Rig.GUEST_IP + "/24";
    static final Duration LEASE_LIMIT = Duration.ofSeconds(40);

    private final ForwarderNamespace ns;
    private final Path runDir;
    private final Path forwarderLog;
    private final LoggedProcesses spawned = new LoggedProcesses();
    private Process forwarder;

    private ForwarderGuest(ForwarderNamespace ns, Path runDir) {
        this.ns = ns;
        this.runDir = runDir;
        this.forwarderLog = runDir.resolve("gvforwarder.log");
    }

    /** Starts gvforwarder against gvproxy's {@code -listen unix://API} and waits until tap0 holds the lease. */
    static ForwarderGuest start(NetnsRig rig, Path runDir, Path api) throws InterruptedException {
        Path busybox = Rig.onPath("busybox").orElseThrow();
        Path bin = dhcpWrapper(runDir, busybox);
        Path fwdJar = rig.gvproxyJar().resolveSibling("gvforwarder.jar");
        assertTrue(Files.isRegularFile(fwdJar), "gvforwarder.jar not found at " + fwdJar + " (./mvnw -B verify -pl it -am)");
        ForwarderGuest guest = new ForwarderGuest(ForwarderNamespace.create(), runDir);
        try {
            List<String> command = guest.ns.inside("env",
                    "PATH=" + bin + ":" + System.getenv().getOrDefault("PATH", ""), GvproxyProcess.testJava(),
                    "-jar", fwdJar.toString(), "-url", "unix://" + api, "-iface", "tap0", "-stop-if-exist", "none",
                    "-mtu", "1500");
            guest.forwarder = LoggedProcesses.startUntracked(command, guest.forwarderLog);
            awaitLease(guest.ns, guest.forwarder, guest::logs);
            return guest;
        } catch (RuntimeException | Error | InterruptedException e) {
            guest.close();
            throw e;
        }
    }

    ForwarderNamespace namespace() {
        return ns;
    }

    /**
     * {@code java -cp <test classpath> MAIN ARGS}: a program of this module (a test server, say) for {@link #spawn}.
     */
    static List<String> testMain(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(GvproxyProcess.testJava(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Starts {@code command} in the namespace with stdout+stderr in {@code <runDir>/<logName>.log} and waits (bounded)
     * until that log has a line equal to {@code readyLine}; {@link #close} stops it if it still runs.
     */
    Process spawn(String logName, String readyLine, List<String> command) throws InterruptedException {
        Path log = runDir.resolve(logName + ".log");
        Process p = spawned.start(ns.inside(command.toArray(String[]::new)), log);
        awaitLine(logName, readyLine, Duration.ofSeconds(60), p, () -> "");
        return p;
    }

    /** The log of the program {@link #spawn}ed as {@code logName}. */
    String log(String logName) {
        return ForwarderNamespace.read(runDir.resolve(logName + ".log"));
    }

    /**
     * Waits until the log of {@code logName} has a line equal to {@code line}; fails at {@code limit}, or early when
     * {@code process} (may be null) exits, with the log and {@code context}.
     */
    void awaitLine(String logName, String line, Duration limit, Process process, Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (log(logName).lines().noneMatch(line::equals)) {
            assertTrue(process == null || process.isAlive(), logName + " exited with "
                    + (process == null || process.isAlive() ? "" : process.exitValue()) + ":\n" + log(logName)
                    + context.get());
            assertTrue(System.nanoTime() < deadline, logName + " printed no " + line + " within " + limit + ":\n"
                    + log(logName) + context.get());
            Thread.sleep(100);
        }
    }

    /** Stops gvforwarder (SIGTERM, by its pid): the guest's link to gvproxy closes. */
    void leave() {
        ForwarderNamespace.stop(forwarder);
    }

    /** Frames the kernel dropped on tap0 because gvforwarder did not read them in time (/sys tx_dropped). */
    long tapTxDropped() {
        ForwarderNamespace.Result r = ns.exec("cat", "/sys/class/net/tap0/statistics/tx_dropped");
        assertTrue(r.ok(), "tx_dropped: " + r);
        return Long.parseLong(r.output().strip());
    }

    /** gvforwarder's and the spawned programs' logs and the guest's drop counters, for failure messages. */
    String logs() {
        StringBuilder text = new StringBuilder("\n--- tap0 and TCP counters in the guest ---\n")
                .append(ns.exec("ip", "-s", "link", "show", "dev", "tap0").output())
                .append(ns.exec("nstat", "-az", "TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPReqQFullDrop",
                        "TcpRetransSegs", "TcpExtTCPSynRetrans").output())
                .append("\n--- gvforwarder.log ---\n").append(ForwarderNamespace.read(forwarderLog))
                .append("\n--- udhcpc.leases ---\n").append(ForwarderNamespace.read(runDir.resolve("udhcpc.leases")));
        try (var logs = Files.list(runDir)) {
            for (Path p : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                if (!p.equals(forwarderLog)) {
                    text.append("\n--- ").append(p.getFileName()).append(" ---\n").append(ForwarderNamespace.read(p));
                }
            }
        } catch (IOException e) {
            text.append("\n(cannot list ").append(runDir).append(": ").append(e).append(')');
        }
        return text.toString();
    }

    @Override
    public void close() {
        spawned.stopAll();
        if (forwarder != null) {
            ForwarderNamespace.stop(forwarder);
        }
        ns.close();
    }

    /** A bin directory with {@code udhcpc} = busybox udhcpc plus a script that only configures the interface. */
    static Path dhcpWrapper(Path runDir, Path busybox) throws UncheckedIOException {
        try {
            Path bin = Files.createDirectories(runDir.resolve("bin"));
            Path script = runDir.resolve("udhcpc.script");
            Files.writeString(script, """
                    #!/bin/sh
                    # udhcpc hook: configure only $interface, in the namespace; never write /etc.
                    case "$1" in
                      deconfig) BUSYBOX ifconfig "$interface" 0.0.0.0 ;;
                      bound|renew)
                        BUSYBOX ifconfig "$interface" "$ip" netmask "$subnet" up
                        [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
                        echo "$1 ip=$ip subnet=$subnet router=$router dns=$dns" >> RUNDIR/udhcpc.leases ;;
                    esac
                    exit 0
                    """.replace("BUSYBOX", busybox.toString()).replace("RUNDIR", runDir.toString()));
            Path wrapper = bin.resolve("udhcpc");
            Files.writeString(wrapper, """
                    #!/bin/sh
                    echo "$@" > RUNDIR/udhcpc.args
                    exec BUSYBOX udhcpc -s SCRIPT "$@"
                    """.replace("BUSYBOX", busybox.toString()).replace("RUNDIR", runDir.toString())
                    .replace("SCRIPT", script.toString()));
            for (Path p : List.of(script, wrapper)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until tap0 in {@code ns} holds {@value #LEASED_CIDR}, failing early if gvforwarder exits. */
    static void awaitLease(ForwarderNamespace ns, Process forwarder, Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + LEASE_LIMIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            assertTrue(forwarder.isAlive(), "gvforwarder exited with "
                    + (forwarder.isAlive() ? "(running)" : forwarder.exitValue()) + context.get());
            ForwarderNamespace.Result addr = ns.exec("ip", "-4", "addr", "show", "dev", "tap0");
            last = addr.output();
            if (addr.ok() && last.contains("inet " + LEASED_CIDR + " ")) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError("no " + LEASED_CIDR + " on tap0 within " + LEASE_LIMIT + ": " + last + context.get());
    }
}
