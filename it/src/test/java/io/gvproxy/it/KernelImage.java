package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The guest kernel: the newest /boot/vmlinuz-VERSION whose /lib/modules/VERSION exists. Never a
 * hard-coded version, because CI installs whatever linux-image-amd64 currently depends on.
 */
record KernelImage(String version, Path vmlinuz, Path modulesDir) {
    private static final Pattern NUMBER_OR_TEXT = Pattern.compile("\\d+|\\D+");

    static Optional<KernelImage> newest(Path boot, Path libModules) {
        if (!Files.isDirectory(boot)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(boot)) {
            return files.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                    .filter(Files::isReadable)
                    .map(p -> new KernelImage(p.getFileName().toString().substring("vmlinuz-".length()), p,
                            libModules.resolve(p.getFileName().toString().substring("vmlinuz-".length()))))
                    .filter(k -> Files.isDirectory(k.modulesDir()))
                    .max(Comparator.comparing(KernelImage::version, KernelImage::compareVersions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Natural order, so that 6.1.0-56 sorts after 6.1.0-9. */
    static int compareVersions(String a, String b) {
        Matcher ma = NUMBER_OR_TEXT.matcher(a);
        Matcher mb = NUMBER_OR_TEXT.matcher(b);
        while (ma.find() && mb.find()) {
            String ta = ma.group();
            String tb = mb.group();
            boolean numbers = Character.isDigit(ta.charAt(0)) && Character.isDigit(tb.charAt(0));
            int c = numbers
                    ? new java.math.BigInteger(ta).compareTo(new java.math.BigInteger(tb))
                    : ta.compareTo(tb);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
