package io.gvproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * ISC dhclient (Debian isc-dhcp-client) run inside a {@link NetnsGuest} on its tap, with every file it writes in
 * the run directory: its own config ({@code netns/dhclient.conf}), lease file, pid file, and as {@code -sf} the
 * recording script {@code netns/dhclient-record.sh}, which appends one line per event to
 * {@code <runDir>/<name>.dhclient.record} and configures only the namespace's interface. The host's
 * /etc/resolv.conf is never touched because Debian's dhclient-script is never run.
 */
final class Dhclient implements AutoCloseable {
    /** Longer than the config's 20 s timeout, so dhclient gives up by itself first. */
    private static final Duration LIMIT = Duration.ofSeconds(40);

    private final NetnsGuest guest;
    private final Path config;
    private final Path script;
    private final Path leases;
    private final Path pidFile;
    private final Path record;

    Dhclient(NetnsGuest guest, Path runDir, String name) {
        this.guest = guest;
        this.config = runDir.resolve(name + ".dhclient.conf");
        this.script = runDir.resolve(name + ".dhclient-record.sh");
        this.leases = runDir.resolve(name + ".dhclient.leases");
        this.pidFile = runDir.resolve(name + ".dhclient.pid");
        this.record = runDir.resolve(name + ".dhclient.record");
        try {
            Files.writeString(config, resource("netns/dhclient.conf"));
            Files.writeString(script, resource("netns/dhclient-record.sh").replace("@RECORD@", record.toString()));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code dhclient -4 -v -1}: one attempt; on success dhclient binds, runs the script and daemonizes. */
    NetnsGuest.Result obtain() {
        return run("-1");
    }

    /** {@code dhclient -4 -v -r}: releases the lease (DHCPRELEASE), runs the script, stops the running one. */
    NetnsGuest.Result release() {
        return run("-r");
    }

    /** The script's lines so far, oldest first. */
    List<String> records() {
        try {
            return Files.exists(record) ? Files.readAllLines(record, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest line the script wrote for {@code reason} (BOUND, RELEASE, ...). */
    Optional<String> last(String reason) {
        return records().reversed().stream().filter(l -> l.startsWith("reason=" + reason + " ")).findFirst();
    }

    /** Stops a daemonized dhclient still running, by the pid in its own pid file. */
    @Override
    public void close() {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            String text = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
            if (text.isEmpty()) {
                return;
            }
            Optional<ProcessHandle> daemon = ProcessHandle.of(Long.parseLong(text));
            daemon.filter(p -> p.info().command().map(c -> c.endsWith("dhclient")).orElse(false))
                    .ifPresent(p -> {
                        p.destroy();
                        p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> {
                            p.destroyForcibly();
                            return p;
                        }).join();
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("dhclient pid file " + pidFile + " holds no pid", e);
        }
    }

    private NetnsGuest.Result run(String mode) {
        return guest.exec(LIMIT, "dhclient", "-4", "-v", mode, "-cf", config.toString(), "-sf", script.toString(),
                "-lf", leases.toString(), "-pf", pidFile.toString(), NetnsGuest.TAP);
    }

    private static String resource(String name) {
        try (InputStream in = Dhclient.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
