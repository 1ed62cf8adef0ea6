package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * qemu-wrapper: QEMU gets gvproxy's {@code -listen-qemu unix://} connection as fd 3 and uses it
 * with {@code -netdev socket,fd=3}; SIGTERM to the wrapper reaches the child.
 */
class QemuWrapperIT {
    static Path wrapperJar(Rig rig) {
        Path jar = Path.of(System.getProperty("qemu-wrapper.jar",
                rig.gvproxyJar().resolveSibling("qemu-wrapper.jar").toString())).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "qemu-wrapper.jar not found at " + jar
                + " (build it: ./mvnw -B verify -pl it -am)");
        return jar;
    }

    static List<String> wrapperCommand(Path jar, Path socket, List<String> child) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString(), socket.toString()));
        command.addAll(child);
        return command;
    }

    @Test
    void wrappedQemuReachesGatewayOnFd3() {
        Rig rig = Rig.require();
        Path jar = wrapperJar(rig);
        Path runDir = rig.runDir("qemu-wrapper");
        try (ShortTempDir sockets = ShortTempDir.create()) {
            QemuNetdev listen = QemuNetdev.unixStream(sockets.resolve("qemu.sock"));
            Path socket = ((QemuNetdev.UnixStream) listen).socket();
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig, runDir, Listener.of(listen),
                    QemuGatewayIT.qemuFlags(listen))) {
                GuestSpec spec = GatewayChecks.spec();
                List<String> command = wrapperCommand(jar, socket,
                        QemuGuest.qemuCommand(rig, "socket,id=n0,fd=3", spec));
                GuestResult result = QemuGuest.run(runDir, "guest", spec, command);
                GatewayChecks.assertReached(result, "qemu-wrapper fd=3");
                assertEquals(0, result.exitCode(), "qemu-wrapper returns QEMU's status");
                GatewayChecks.assertCleanStop(gvproxy);
            }
        }
    }

    /** Needs no guest: the child is {@code sleep}, and the test's own unix listener stands in for gvproxy. */
    @Test
    void sigtermToWrapperEndsTheChild() throws Exception {
        Path jar = Path.of(System.getProperty("gvproxy.jar", "../cli/target/gvproxy.jar"))
                .toAbsolutePath().normalize().resolveSibling("qemu-wrapper.jar");
        assertTrue(Files.isRegularFile(jar), "qemu-wrapper.jar not found at " + jar);
        try (ShortTempDir sockets = ShortTempDir.create();
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path socket = sockets.resolve("q.sock");
            server.bind(UnixDomainSocketAddress.of(socket));
            Process wrapper = new ProcessBuilder(wrapperCommand(jar, socket, List.of("sleep", "60")))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (SocketChannel vm = server.accept()) {
                ProcessHandle sleep = awaitChild(wrapper);
                wrapper.destroy();
                assertTrue(wrapper.waitFor(20, TimeUnit.SECONDS), "wrapper did not exit after SIGTERM");
                assertEquals(128 + 15, wrapper.exitValue(), "the child's SIGTERM status");
                assertTrue(sleep.onExit().get(5, TimeUnit.SECONDS) != null && !sleep.isAlive(),
                        "the child must have received the SIGTERM");
                assertEquals(-1, vm.read(java.nio.ByteBuffer.allocate(1)), "the connection ends with the child");
            } finally {
                wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
                wrapper.destroyForcibly();
            }
        }
    }

    private static ProcessHandle awaitChild(Process wrapper) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            var child = wrapper.children().findFirst();
            if (child.isPresent() && child.get().info().command().map(c -> c.endsWith("sleep")).orElse(false)) {
                return child.get();
            }
            if (!wrapper.isAlive()) {
                throw new IOException("wrapper exited with " + wrapper.exitValue() + " before starting its child");
            }
            Thread.sleep(50);
        }
        throw new AssertionError("qemu-wrapper did not start its child within 20 s");
    }
}
