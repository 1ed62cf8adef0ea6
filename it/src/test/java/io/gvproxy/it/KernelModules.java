package io.gvproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Kernel modules for the guest, in an order plain insmod can load them: dependencies first, as
 * reported by {@code modinfo -k VERSION -F depends}. Busybox insmod cannot read compressed
 * modules, so .ko.xz/.ko.zst/.ko.gz are decompressed here, at build time.
 */
final class KernelModules {
    /** One module: its bare name (as used in depends), its file and its uncompressed bytes. */
    record Module(String name, Path file, byte[] bytes) {
        String fileName() {
            return name + ".ko";
        }
    }

    private KernelModules() {
    }

    /** The given top-level modules and all their dependencies, each after what it depends on. */
    static List<Module> loadOrder(KernelImage kernel, List<String> wanted) {
        Set<String> ordered = new LinkedHashSet<>();
        for (String name : wanted) {
            visit(kernel, name, ordered, new LinkedHashSet<>());
        }
        List<Module> modules = new ArrayList<>();
        for (String name : ordered) {
            Path file = Path.of(modinfo(kernel, name, "filename"));
            modules.add(new Module(name, file, uncompressed(file)));
        }
        return modules;
    }

    private static void visit(KernelImage kernel, String name, Set<String> ordered, Set<String> path) {
        if (ordered.contains(name)) {
            return;
        }
        if (!path.add(name)) {
            throw new IllegalStateException("module dependency cycle: " + path + " -> " + name);
        }
        String depends = modinfo(kernel, name, "depends");
        for (String dependency : depends.split(",")) {
            if (!dependency.isBlank()) {
                visit(kernel, dependency.strip(), ordered, path);
            }
        }
        path.remove(name);
        ordered.add(name);
    }

    private static String modinfo(KernelImage kernel, String module, String field) {
        return HostCommand.text(List.of("modinfo", "-k", kernel.version(), "-F", field, module)).strip();
    }

    private static byte[] uncompressed(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".ko")) {
            return read(file);
        }
        if (name.endsWith(".ko.xz")) {
            return HostCommand.output(List.of("xz", "-dc", file.toString()));
        }
        if (name.endsWith(".ko.zst")) {
            return HostCommand.output(List.of("zstd", "-dcq", file.toString()));
        }
        if (name.endsWith(".ko.gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("unknown module compression: " + file);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
