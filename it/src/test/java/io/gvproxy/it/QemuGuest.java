package io.gvproxy.it;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One QEMU guest booted from the rig initramfs under TCG (see {@link Rig} for why never KVM). Its
 * serial console is copied to {@code <runDir>/<name>.console.log} and parsed for RIG-* lines.
 * QEMU is killed by its own pid when the boot exceeds the spec's timeout, and on close. Any guest
 * command whose stdout is the console works the same way ({@link #start(Path, String, GuestSpec,
 * List)}): QEMU under qemu-wrapper, UML ({@link UmlGuest}); their child processes are killed too.
 */
final class QemuGuest implements AutoCloseable {
    private static final Duration READER_DRAIN = Duration.ofSeconds(5);

    private final String name;
    private final GuestSpec spec;
    private final Path console;
    private final Process process;
    private final Thread reader;
    private final long startNanos;
    private final List<CheckResult> checks = new ArrayList<>();
    private String summary;
    private boolean done;
    private Duration initAfter;

    private QemuGuest(String name, GuestSpec spec, Path console, List<String> command) throws IOException {
        this.name = name;
        this.spec = spec;
        this.console = console;
        BufferedWriter log = Files.newBufferedWriter(console, StandardCharsets.ISO_8859_1);
        log.write("# " + String.join(" ", command) + "\n");
        this.startNanos = System.nanoTime();
        try {
            this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            log.close();
            throw e;
        }
        this.reader = Thread.ofPlatform().daemon().name("console-" + name).start(() -> copyConsole(log));
    }

    /** Starts QEMU; the caller waits with {@link #awaitResult()} (two guests can run at once). */
    static QemuGuest start(Rig rig, Path runDir, String name, QemuNetdev netdev, GuestSpec spec) {
        return start(runDir, name, spec, qemuCommand(rig, netdev.qemuNetdev(), spec));
    }

    /** The QEMU command line for a guest whose NIC uses {@code -netdev netdevValue} (with id n0). */
    static List<String> qemuCommand(Rig rig, String netdevValue, GuestSpec spec) {
        return qemuCommand(rig, netdevValue, spec, rig.initramfs());
    }

    /** The same with another initramfs ({@link Rig#initramfsWith}). */
    static List<String> qemuCommand(Rig rig, String netdevValue, GuestSpec spec, Path initramfs) {
        return List.of(rig.qemu().toString(),
                "-accel", "tcg", "-m", "256", "-smp", "1",
                "-nographic", "-no-reboot", "-no-user-config",
                "-kernel", rig.kernel().vmlinuz().toString(),
                "-initrd", initramfs.toString(),
                "-append", spec.kernelCommandLine(),
                "-netdev", netdevValue,
                "-device", "virtio-net-pci,netdev=n0,mac=" + spec.mac() + ",romfile=");
    }

    /** Starts any guest command whose stdout and stderr carry the guest console. */
    static QemuGuest start(Path runDir, String name, GuestSpec spec, List<String> command) {
        try {
            return new QemuGuest(name, spec, runDir.resolve(name + ".console.log"), command);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Starts the guest and waits for it to power off (or time out). */
    static GuestResult run(Rig rig, Path runDir, String name, QemuNetdev netdev, GuestSpec spec) {
        return run(runDir, name, spec, qemuCommand(rig, netdev.qemuNetdev(), spec));
    }

    /** Runs any guest command (see {@link #start(Path, String, GuestSpec, List)}) to the end. */
    static GuestResult run(Path runDir, String name, GuestSpec spec, List<String> command) {
        try (QemuGuest guest = start(runDir, name, spec, command)) {
            GuestResult result = guest.awaitResult();
            System.out.println(result.timing());
            return result;
        }
    }

    /** Waits until QEMU exits or the spec's timeout (counted from start) passes, then kills it. */
    GuestResult awaitResult() {
        boolean timedOut = false;
        try {
            long left = spec.timeout().toNanos() - (System.nanoTime() - startNanos);
            if (!process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                timedOut = true;
                kill();
            }
            reader.join(READER_DRAIN.toMillis());
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for guest " + name, e);
        }
        Duration exitAfter = Duration.ofNanos(System.nanoTime() - startNanos);
        synchronized (this) {
            return new GuestResult(name, List.copyOf(checks), summary, done, timedOut,
                    process.isAlive() ? -1 : process.exitValue(), initAfter, exitAfter, console);
        }
    }

    @Override
    public void close() {
        kill();
    }

    private void kill() {
        if (process.isAlive()) {
            // Collected first: once the parent is gone its children are re-parented and no longer listed.
            // QEMU under qemu-wrapper and UML's helper processes would otherwise outlive the test.
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void copyConsole(BufferedWriter log) {
        try (log; BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.ISO_8859_1))) {
            String line;
            while ((line = in.readLine()) != null) {
                String clean = line.replace("\r", "");
                log.write(clean);
                log.write('\n');
                log.flush();
                int at = clean.indexOf("RIG-");
                if (at >= 0) {
                    record(clean.substring(at));
                }
            }
        } catch (IOException e) {
            // QEMU was killed mid-line; what was read so far is in the log and the result.
        }
    }

    private synchronized void record(String text) {
        if (text.startsWith("RIG-START")) {
            initAfter = Duration.ofNanos(System.nanoTime() - startNanos);
        } else if (text.startsWith("RIG-SUMMARY")) {
            summary = text;
        } else if (text.equals("RIG-DONE")) {
            done = true;
        } else {
            CheckResult result = CheckResult.parse(text);
            if (result != null) {
                checks.add(result);
            }
        }
    }
}
