package io.gvproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The guest's initramfs: static busybox with its applets as symlinks, the virtio-net modules
 * with their load order, and the rig scripts from test resources ({@code rig/init} becomes
 * {@code /init}, everything else lands under {@code /rig}). New checks are new files in
 * {@code rig/checks/}; nothing here changes for them.
 *
 * <p>The uncompressed image is assembled in memory, sorted by path, and named by its SHA-256, so an
 * image on disk is reused exactly when nothing that went into it changed.
 */
final class Initramfs {
    /** Loaded in this order after their dependencies; virtio_pci is the transport QEMU's -device uses. */
    static final List<String> TOP_LEVEL_MODULES = List.of("virtio_pci", "virtio_net");

    private static final Map<List<Path>, Path> BUILT = new java.util.HashMap<>();

    private Initramfs() {
    }

    /** The image for this kernel, built at most once per test run and cached under workDir. */
    static Path forKernel(KernelImage kernel, Path busybox, Path workDir) {
        return forKernel(kernel, busybox, workDir, List.of());
    }

    /**
     * The image with dynamically linked host {@code programs} added as /bin/NAME, each with the libraries and
     * loader {@code ldd} names at their host paths (kept in a directory of its own, so the plain image stays).
     */
    static synchronized Path forKernel(KernelImage kernel, Path busybox, Path workDir, List<Path> programs) {
        List<Path> key = new java.util.ArrayList<>(List.of(kernel.vmlinuz()));
        key.addAll(programs);
        return BUILT.computeIfAbsent(List.copyOf(key), k -> build(kernel, busybox, workDir, programs));
    }

    static Path build(KernelImage kernel, Path busybox, Path workDir) {
        return build(kernel, busybox, workDir, List.of());
    }

    private static Path build(KernelImage kernel, Path busybox, Path workDir, List<Path> programs) {
        try {
            byte[] cpio = assemble(kernel, StaticBusybox.load(busybox), programs);
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cpio));
            Path dir = Files.createDirectories(workDir.resolve(programs.isEmpty() ? "initramfs"
                    : "initramfs-with-" + String.join("-", programs.stream().map(p -> p.getFileName().toString()).toList())));
            Path image = dir.resolve("initramfs-" + kernel.version() + "-" + hash.substring(0, 16) + ".cpio.gz");
            if (!Files.exists(image)) {
                Path partial = Files.createTempFile(dir, "partial-", ".cpio.gz");
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(partial))) {
                    out.write(cpio);
                }
                Files.move(partial, image, StandardCopyOption.ATOMIC_MOVE);
                removeStale(dir, image);
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Images from earlier inputs are never used again; keep only the current one. */
    private static void removeStale(Path dir, Path current) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> !p.equals(current)).toList()) {
                if (p.getFileName().toString().startsWith("initramfs-")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static byte[] assemble(KernelImage kernel, StaticBusybox busybox) throws IOException {
        return assemble(kernel, busybox, List.of());
    }

    private static byte[] assemble(KernelImage kernel, StaticBusybox busybox, List<Path> programs) throws IOException {
        TreeMap<String, Entry> entries = new TreeMap<>();
        for (String dir : List.of("bin", "dev", "proc", "sys", "tmp", "rig", "rig/modules")) {
            entries.put(dir, new Entry.Directory());
        }
        entries.put("dev/console", new Entry.CharDevice(5, 1));
        entries.put("bin/busybox", new Entry.File(0755, Files.readAllBytes(busybox.binary())));
        for (String applet : busybox.applets()) {
            entries.put("bin/" + applet, new Entry.Symlink("busybox"));
        }
        StringBuilder order = new StringBuilder();
        for (KernelModules.Module module : KernelModules.loadOrder(kernel, TOP_LEVEL_MODULES)) {
            entries.put("rig/modules/" + module.fileName(), new Entry.File(0644, module.bytes()));
            order.append(module.fileName()).append('\n');
        }
        entries.put("rig/modules.order", new Entry.File(0644, order.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        addScripts(entries);
        addPrograms(entries, programs);
        if (!entries.containsKey("init")) {
            throw new IllegalStateException("test resources lack rig/init");
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CpioNewcWriter cpio = new CpioNewcWriter(bytes);
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            switch (e.getValue()) {
                case Entry.Directory d -> cpio.directory(e.getKey(), 0755);
                case Entry.File f -> cpio.file(e.getKey(), f.permissions(), f.content());
                case Entry.Symlink s -> cpio.symlink(e.getKey(), s.target());
                case Entry.CharDevice c -> cpio.charDevice(e.getKey(), 0600, c.major(), c.minor());
            }
        }
        cpio.finish();
        return bytes.toByteArray();
    }

    private static void addPrograms(TreeMap<String, Entry> entries, List<Path> programs) throws IOException {
        for (Path program : programs) {
            entries.put("bin/" + program.getFileName(), new Entry.File(0755, Files.readAllBytes(program)));
            for (Path library : SharedLibraries.of(program)) {
                String relative = library.toString().substring(1);
                for (Path parent = Path.of(relative).getParent(); parent != null; parent = parent.getParent()) {
                    entries.putIfAbsent(parent.toString(), new Entry.Directory());
                }
                entries.put(relative, new Entry.File(0755, Files.readAllBytes(library)));
            }
        }
    }

    private static void addScripts(TreeMap<String, Entry> entries) throws IOException {
        Path root = resourceDirectory("rig");
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted().toList()) {
                String relative = root.relativize(path).toString().replace('\\', '/');
                if (relative.isEmpty()) {
                    continue;
                }
                String target = relative.equals("init") ? "init" : "rig/" + relative;
                entries.put(target, Files.isDirectory(path)
                        ? new Entry.Directory()
                        : new Entry.File(0755, Files.readAllBytes(path)));
            }
        }
    }

    private static Path resourceDirectory(String name) {
        URL url = Initramfs.class.getResource("/" + name + "/init");
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("rig scripts must be a directory on the test classpath, got " + url);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private sealed interface Entry {
        record Directory() implements Entry {
        }

        record File(int permissions, byte[] content) implements Entry {
        }

        record Symlink(String target) implements Entry {
        }

        record CharDevice(int major, int minor) implements Entry {
        }
    }
}
