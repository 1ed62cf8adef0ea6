package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelImageTest {
    @Test
    void numericPartsCompareAsNumbers() {
        assertTrue(KernelImage.compareVersions("6.1.0-56-amd64", "6.1.0-9-amd64") > 0);
        assertTrue(KernelImage.compareVersions("6.10.0-1-amd64", "6.9.0-1-amd64") > 0);
        assertTrue(KernelImage.compareVersions("6.1.0-9-amd64", "6.1.0-9-amd64") == 0);
    }

    @Test
    void picksNewestKernelThatHasModules(@TempDir Path tmp) throws IOException {
        Path boot = Files.createDirectories(tmp.resolve("boot"));
        Path modules = Files.createDirectories(tmp.resolve("modules"));
        for (String v : new String[] {"6.1.0-9-amd64", "6.1.0-56-amd64", "6.12.0-1-amd64"}) {
            Files.writeString(boot.resolve("vmlinuz-" + v), "kernel");
        }
        Files.createDirectories(modules.resolve("6.1.0-9-amd64"));
        Files.createDirectories(modules.resolve("6.1.0-56-amd64"));
        KernelImage newest = KernelImage.newest(boot, modules).orElseThrow();
        assertEquals("6.1.0-56-amd64", newest.version(), "6.12 has no modules directory, so it is not usable");
        assertEquals(boot.resolve("vmlinuz-6.1.0-56-amd64"), newest.vmlinuz());
    }

    @Test
    void noKernelWithoutBootDirectory(@TempDir Path tmp) {
        assertTrue(KernelImage.newest(tmp.resolve("absent"), tmp).isEmpty());
    }
}
