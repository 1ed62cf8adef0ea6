package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest image itself, without booting it: reproducible, complete, modules in a loadable order. */
class InitramfsIT {
    @Test
    void imageIsByteReproducible(@TempDir Path tmp) throws IOException {
        Rig rig = Rig.require();
        Path first = Initramfs.build(rig.kernel(), rig.busybox(), tmp.resolve("a"));
        Path second = Initramfs.build(rig.kernel(), rig.busybox(), tmp.resolve("b"));
        assertEquals(first.getFileName(), second.getFileName());
        byte[] bytes = Files.readAllBytes(first);
        assertArrayEquals(bytes, Files.readAllBytes(second));
        assertArrayEquals(new byte[] {0, 0, 0, 0}, Arrays.copyOfRange(bytes, 4, 8), "gzip header mtime must be 0");
    }

    @Test
    void imageHoldsInitBusyboxScriptsAndModules(@TempDir Path tmp) throws IOException {
        Rig rig = Rig.require();
        Path cpio = tmp.resolve("image.cpio");
        Files.write(cpio, Initramfs.assemble(rig.kernel(), StaticBusybox.load(rig.busybox())));
        List<String> listing = Arrays.asList(HostCommand.text(
                List.of("sh", "-c", "cpio -it --quiet < \"$1\"", "cpio", cpio.toString())).split("\n"));
        for (String expected : List.of("init", "bin/busybox", "bin/sh", "bin/insmod", "bin/arping", "bin/ping",
                "bin/timeout", "dev/console", "rig/lib.sh", "rig/checks/netdev.sh", "rig/modules.order",
                "rig/modules/virtio_net.ko", "rig/modules/virtio_pci.ko")) {
            assertTrue(listing.contains(expected), expected + " missing from " + listing);
        }
        List<String> sorted = listing.stream().sorted().toList();
        assertEquals(sorted, listing, "entries must be written in sorted order");
    }

    @Test
    void everyModuleComesAfterItsDependencies() {
        Rig rig = Rig.require();
        List<String> order = KernelModules.loadOrder(rig.kernel(), Initramfs.TOP_LEVEL_MODULES).stream()
                .map(KernelModules.Module::name).toList();
        assertTrue(order.containsAll(List.of("virtio_net", "virtio_pci", "virtio", "virtio_ring")), order.toString());
        for (int i = 0; i < order.size(); i++) {
            String depends = HostCommand.text(
                    List.of("modinfo", "-k", rig.kernel().version(), "-F", "depends", order.get(i))).strip();
            for (String dependency : depends.split(",")) {
                if (!dependency.isBlank()) {
                    assertTrue(order.subList(0, i).contains(dependency),
                            order.get(i) + " needs " + dependency + " loaded first: " + order);
                }
            }
        }
    }
}
