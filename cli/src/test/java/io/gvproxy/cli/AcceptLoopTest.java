package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptLoopTest {
    @TempDir
    Path dir;

    @Test
    void connectionsBeyondTheLimitAreRefusedUntilOneEnds() throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.INFO, Clock.systemUTC());
        RecordingHandler handler = new RecordingHandler();
        Path sock = dir.resolve("v.sock");
        OpenedAcceptor bound = OpenedAcceptor.bind(ListenUrl.parse("unix://" + sock), false, log);
        try (AcceptLoop loop = new AcceptLoop("vpnkit", bound, 2, handler::vpnkit, log)) {
            loop.start();
            SocketChannel a = TestClients.connect(sock);
            SocketChannel b = TestClients.connect(sock);
            TestClients.assertEcho(a, "a");
            TestClients.assertEcho(b, "b");
            try (SocketChannel c = TestClients.connect(sock)) {
                TestClients.assertClosedByServer(c);
            }
            a.close();
            TestClients.await("first connection to end", () -> loop.activeCount() == 1);
            try (SocketChannel d = TestClients.connect(sock)) {
                TestClients.assertEcho(d, "d");
            }
            b.close();
            assertEquals(3, handler.calls.size());
            String text;
            synchronized (log) {
                text = logBytes.toString(StandardCharsets.UTF_8);
            }
            assertTrue(text.contains("2 VMs are already connected (the limit)"), text);
        }
    }
}
