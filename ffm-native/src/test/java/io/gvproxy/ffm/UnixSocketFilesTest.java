package io.gvproxy.ffm;

import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnixSocketFilesTest {
    @TempDir
    Path dir;

    private final OsConstants k = Platform.current().constants();

    @Test
    void boundDatagramSocketIsLiveAndLeftoverIsStale() throws Exception {
        Path path = dir.resolve("v.sock");
        try (UnixDatagramLink link = UnixDatagramLink.bind(path, new Counters(), "t")) {
            assertFalse(UnixSocketFiles.isStale(path, k.sockDgram()));
        }
        DgramClient leftover = new DgramClient(path);
        leftover.close(false);
        assertTrue(Files.exists(path));
        assertTrue(UnixSocketFiles.isStale(path, k.sockDgram()));
    }

    @Test
    void seqpacketListenerIsLiveAndLiveSocketOfOtherTypeIsNotStale() throws Exception {
        Path path = dir.resolve("b.sock");
        try (UnixSeqpacketListener l = UnixSeqpacketListener.bind(path, new Counters(), "t")) {
            assertFalse(UnixSocketFiles.isStale(path, k.sockSeqpacket()));
            assertFalse(UnixSocketFiles.isStale(path, k.sockDgram()));
        }
    }

    @Test
    void missingFileIsAnError() {
        NativeException e = assertThrows(NativeException.class,
                () -> UnixSocketFiles.isStale(dir.resolve("none"), k.sockSeqpacket()));
        assertEquals(k.enoent(), e.errno());
    }

    @Test
    void connectGivesAnOwnedStreamFd() throws Exception {
        Path path = dir.resolve("s.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(path));
            int fd = UnixSocketFiles.connect(path, k.sockStream());
            try (var accepted = server.accept()) {
                assertTrue(fd > 2);
                assertTrue(accepted.isConnected());
            } finally {
                LibC.closeQuietly(fd);
            }
        }
    }
}
