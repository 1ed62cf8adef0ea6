package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * What a real-guest test needs from the host, checked up front. A missing host prerequisite
 * skips the test and says exactly what is missing (CI installs all of them, so there they run).
 * A missing gvproxy.jar is not a host prerequisite: {@link GvproxyProcess} fails on it.
 */
record Rig(KernelImage kernel, Path busybox, Path qemu, Path gvproxyJar, Path workDir) {
    static final String GATEWAY_MAC = "5a:94:ef:e4:0c:dd";
    static final String GUEST_MAC = "5a:94:ef:e4:0c:ee";
    static final String GATEWAY_IP = "192.168.127.1";
    static final String GUEST_IP = "192.168.127.2";

    private static volatile boolean announced;

    /** The rig, or a skipped test naming every missing prerequisite. */
    static Rig require() {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("not running as root (later tests create network namespaces and tap devices)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun is absent");
        }
        Optional<Path> qemu = onPath("qemu-system-x86_64");
        if (qemu.isEmpty()) {
            missing.add("qemu-system-x86_64 not on PATH (Debian package qemu-system-x86)");
        }
        if (onPath("modinfo").isEmpty()) {
            missing.add("modinfo not on PATH (Debian package kmod)");
        }
        if (onPath("cpio").isEmpty()) {
            missing.add("cpio not on PATH (Debian package cpio; it checks the images this rig writes)");
        }
        Optional<KernelImage> kernel = KernelImage.newest(Path.of("/boot"), Path.of("/lib/modules"));
        if (kernel.isEmpty()) {
            missing.add("no readable /boot/vmlinuz-VERSION with /lib/modules/VERSION (Debian package linux-image-amd64)");
        }
        Optional<Path> busybox = StaticBusybox.find();
        if (busybox.isEmpty()) {
            missing.add("no statically linked busybox at /usr/bin/busybox or /bin/busybox (Debian package busybox-static)");
        }
        if (!missing.isEmpty()) {
            String why = "real-guest rig unavailable: " + String.join("; ", missing);
            System.out.println("SKIP " + why);
            Assumptions.abort(why);
        }
        Path jar = configuredGvproxyJar();
        Path work = configuredWorkDir();
        Rig rig = new Rig(kernel.orElseThrow(), busybox.orElseThrow(), qemu.orElseThrow(), jar, work);
        rig.announce();
        return rig;
    }

    /**
     * A further host program a test needs beyond the rig (linux.uml, ...), or a skipped test that
     * names it and its Debian package.
     */
    static Path requireTool(String program, String debianPackage) {
        Optional<Path> found = onPath(program);
        if (found.isEmpty()) {
            String why = program + " not on PATH (Debian package " + debianPackage + ")";
            System.out.println("SKIP " + why);
            Assumptions.abort(why);
        }
        return found.orElseThrow();
    }

    /** The initramfs for this rig's kernel (built once per run, cached in the work directory). */
    Path initramfs() {
        return Initramfs.forKernel(kernel, busybox, workDir);
    }

    /** The initramfs with dynamically linked host programs (iperf3, say) and their libraries added. */
    Path initramfsWith(List<Path> programs) {
        return Initramfs.forKernel(kernel, busybox, workDir, programs);
    }

    /** An empty directory for one test's logs: it.work/runs/NAME. */
    Path runDir(String name) {
        return freshRunDir(workDir, name);
    }

    /** The gvproxy.jar the tests run (system property gvproxy.jar, set by failsafe). */
    static Path configuredGvproxyJar() {
        return Path.of(System.getProperty("gvproxy.jar", "../cli/target/gvproxy.jar")).toAbsolutePath().normalize();
    }

    /** Where runs keep their logs (system property it.work, set by failsafe). */
    static Path configuredWorkDir() {
        return Path.of(System.getProperty("it.work", "target/it-work")).toAbsolutePath().normalize();
    }

    /** An empty directory WORK/runs/NAME: whatever an earlier run left there is deleted. */
    static Path freshRunDir(Path workDir, String name) {
        Path dir = workDir.resolve("runs").resolve(name);
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void announce() {
        if (announced) {
            return;
        }
        announced = true;
        String why = Files.exists(Path.of("/sys/module/kvm_pvm"))
                ? "KVM is not used: /sys/module/kvm_pvm is loaded and PVM nested virtualisation hangs the Debian guest kernel"
                : "KVM is not used: the rig always runs TCG so that results do not depend on the host";
        System.out.println("rig: kernel " + kernel.version() + ", qemu " + qemu + ", accel tcg (" + why + ")");
        System.out.println("rig: gvproxy " + gvproxyJar + ", work " + workDir);
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

    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }
}
