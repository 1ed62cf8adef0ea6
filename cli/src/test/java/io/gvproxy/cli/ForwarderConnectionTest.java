package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForwarderConnectionTest {
    @TempDir
    Path dir;

    @Test
    void unixDialsTheSocketAndCarriesBytesBothWays() throws Exception {
        Path socket = dir.resolve("api.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (ForwarderConnection c = ForwarderConnection.dial(new ForwarderUrl.Unix(socket));
                 SocketChannel peer = server.accept()) {
                byte[] request = ConnectRequest.bytes("/connect");
                c.writeFully(request);
                assertArrayEquals(request, readExactly(peer, request.length));
                peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                ByteBuffer got = ByteBuffer.allocate(3);
                while (got.hasRemaining()) {
                    assertTrue(c.in().read(got) > 0);
                }
                assertArrayEquals(new byte[] {1, 2, 3}, got.array());
            }
        }
    }

    @Test
    void unixDialFailureNamesThePath() {
        Path missing = dir.resolve("missing.sock");
        IOException e = assertThrows(IOException.class, () -> ForwarderConnection.dial(new ForwarderUrl.Unix(missing)));
        assertTrue(e.getMessage().startsWith("dial unix " + missing + ": "), e.getMessage());
    }

    @Test
    void stdioRunsTheExecutableWithItsArgumentsOverItsStdinAndStdout() throws Exception {
        Path exe = dir.resolve("peer.sh");
        Files.writeString(exe, "#!/bin/sh\necho \"$@\"\nexec cat\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwx------"));
        ForwarderUrl url = ForwarderUrl.parse("stdio:" + exe + "?listen-stdio=accept&debug=true");
        ForwarderConnection c = ForwarderConnection.dial(url);
        try {
            String argsLine = "-listen-stdio=accept -debug=true\n";
            assertEquals(argsLine, new String(readExactly(c, argsLine.length()), StandardCharsets.US_ASCII));
            c.writeFully("frame".getBytes(StandardCharsets.US_ASCII));
            assertEquals("frame", new String(readExactly(c, 5), StandardCharsets.US_ASCII));
        } finally {
            c.close();
        }
        // Closing ended the child, so a reader is released (end of stream or a closed stream), never left blocked.
        try {
            assertEquals(-1, c.in().read(ByteBuffer.allocate(1)));
        } catch (IOException e) {
            assertTrue(e instanceof java.nio.channels.ClosedChannelException
                    || String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("closed"), e.toString());
        }
    }

    private static byte[] readExactly(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                break;
            }
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] readExactly(ForwarderConnection c, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (c.in().read(b) < 0) {
                break;
            }
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
