package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QemuWrapperMainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private String errText() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void childTalksToTheSocketOnFd3AndItsStatusIsReturned() throws Exception {
        Path sock = dir.resolve("q.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> QemuWrapperMain.run(new String[]{
                    sock.toString(), "/bin/sh", "-c", "read x <&3; echo \"qemu:$x\" >&3; exit 5"}, err, false));
            try (SocketChannel vm = server.accept()) {
                vm.write(ByteBuffer.wrap("frame\n".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer in = ByteBuffer.allocate(64);
                while (vm.read(in) >= 0) {
                    // until the child and the wrapper have both closed the connection
                }
                assertEquals("qemu:frame\n", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
            }
            assertEquals(5, status.get(20, TimeUnit.SECONDS), errText());
        }
    }

    @Test
    void usageErrorExitsTwo() {
        assertEquals(2, QemuWrapperMain.run(new String[]{"/tmp/only-socket"}, err, false));
        assertTrue(errText().startsWith("usage: qemu-wrapper <unix-socket> <qemu-binary>"), errText());
    }

    @Test
    void unreachableSocketExitsOne() {
        Path sock = dir.resolve("missing.sock");
        assertEquals(1, QemuWrapperMain.run(new String[]{sock.toString(), "/bin/true"}, err, false));
        assertTrue(errText().startsWith("qemu-wrapper: dial unix " + sock + ": connect: No such file or directory"),
                errText());
    }

    @Test
    void missingQemuBinaryExitsOne() throws Exception {
        Path sock = dir.resolve("q.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            assertEquals(1, QemuWrapperMain.run(new String[]{sock.toString(), "/nonexistent/qemu"}, err, false));
            assertTrue(errText().contains("posix_spawnp /nonexistent/qemu: No such file or directory"), errText());
        }
    }
}
