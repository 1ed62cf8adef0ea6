package io.gvproxy.cli.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.cli.LogrusLogger;
import io.gvproxy.core.net.MacAddress;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class NotificationSenderTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.DEBUG, Clock.systemUTC());

    @Test
    void jsonLinesMatchUpstream() {
        assertEquals("{\"notification_type\":\"ready\"}\n",
                new Notification(Notification.Type.READY, null).toJsonLine());
        assertEquals("{\"notification_type\":\"connection_closed\",\"mac_address\":\"5a:94:ef:e4:0c:ee\"}\n",
                new Notification(Notification.Type.CONNECTION_CLOSED, MacAddress.parse("5a:94:ef:e4:0c:ee"))
                        .toJsonLine());
    }

    @Test
    void deadReceiverNeverBlocksTheCaller() throws Exception {
        // Listening but never accepting: connects pile up in the backlog, then block.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path path = dir.resolve("dead.sock");
            dead.bind(UnixDomainSocketAddress.of(path), 1);
            NotificationSender sender = NotificationSender.start(path, log);
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                sender.macLearned(new MacAddress(0x0200_0000_0000L + i), i);
            }
            long offerMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(offerMillis < 2000, "offering took " + offerMillis + " ms");
            assertTrue(sender.queued() <= NotificationSender.QUEUE_CAPACITY);
            String text;
            synchronized (log) {
                text = logBytes.toString(StandardCharsets.UTF_8);
            }
            assertTrue(text.contains("level=warning msg=\"unable to send notification\""), text);
            long c0 = System.nanoTime();
            sender.close();
            long closeMillis = (System.nanoTime() - c0) / 1_000_000;
            assertTrue(closeMillis < 5000, "close took " + closeMillis + " ms");
        }
    }
}
