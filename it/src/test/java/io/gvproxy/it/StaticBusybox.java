package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A statically linked busybox (Debian's busybox-static) and its applet names. A dynamic busybox
 * (Debian's plain busybox package installs the same path) cannot run in the initramfs, which has
 * no libc, so it is detected from its ELF program headers and refused.
 */
record StaticBusybox(Path binary, List<String> applets) {
    private static final int PT_INTERP = 3;

    static Optional<Path> find() {
        for (String candidate : List.of("/usr/bin/busybox", "/bin/busybox")) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path) && isStaticElf64(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    static StaticBusybox load(Path binary) {
        List<String> applets = Arrays.stream(HostCommand.text(List.of(binary.toString(), "--list")).split("\n"))
                .map(String::strip)
                .filter(name -> name.matches("[A-Za-z0-9_.\\[\\]-]+"))
                .filter(name -> !name.equals("busybox"))
                .sorted()
                .toList();
        if (!applets.contains("sh") || !applets.contains("insmod")) {
            throw new IllegalStateException(binary + " lacks the sh or insmod applet: " + applets);
        }
        return new StaticBusybox(binary, applets);
    }

    static boolean isStaticElf64(Path path) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            ByteBuffer elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes.length < 64 || elf.getInt(0) != 0x464c457f || bytes[4] != 2) {
                return false;
            }
            long phoff = elf.getLong(0x20);
            int phentsize = Short.toUnsignedInt(elf.getShort(0x36));
            int phnum = Short.toUnsignedInt(elf.getShort(0x38));
            for (int i = 0; i < phnum; i++) {
                long at = phoff + (long) i * phentsize;
                if (at + 4 > bytes.length) {
                    return false;
                }
                if (elf.getInt((int) at) == PT_INTERP) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
