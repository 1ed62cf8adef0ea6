package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.cli.http.Curl;
import io.gvproxy.cli.http.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** -notification end to end: what a receiver sees as VMs come and go. */
@Timeout(60)
class NotificationsTest {
    private static final String READY = "{\"notification_type\":\"ready\"}\n";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.DEBUG, Clock.systemUTC());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private String logText() {
        synchronized (log) {
            return logBytes.toString(StandardCharsets.UTF_8);
        }
    }

    private GvproxyServer start(String... args) throws Exception {
        GvproxyOptions options = Options.of(args);
        GvproxyServer s = GvproxyServer.start(options, NetworkStackHandler.create(options, log), log, () -> {
            throw new AssertionError("stdio not expected");
        });
        toClose.add(s);
        return s;
    }

    @Test
    void connectClientLifecycleArrivesInOrder() throws Exception {
        Path nsock = dir.resolve("n.sock");
        NotificationReceiver receiver = new NotificationReceiver(nsock);
        toClose.add(receiver);
        Path api = dir.resolve("api.sock");
        start("-notification", "unix://" + nsock, "-listen", "unix://" + api);
        assertEquals(READY, receiver.next());
        try (SocketChannel ch = TestClients.connect(api)) {
            RawHttp c = new RawHttp(ch);
            c.send("POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n");
            c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
            c.readBytes(2 + ArpFrames.LENGTH);
            assertEquals("{\"notification_type\":\"connection_established\",\"mac_address\":\""
                    + ArpFrames.GUEST_MAC_TEXT + "\"}\n", receiver.next());
        }
        assertEquals("{\"notification_type\":\"connection_closed\",\"mac_address\":\""
                + ArpFrames.GUEST_MAC_TEXT + "\"}\n", receiver.next());
        assertNull(receiver.poll(200), "one event per MAC and state");
    }

    @Test
    void vpnkitClientLifecycleArrivesInOrder() throws Exception {
        Path nsock = dir.resolve("n.sock");
        NotificationReceiver receiver = new NotificationReceiver(nsock);
        toClose.add(receiver);
        Path vpnkit = dir.resolve("vpnkit.sock");
        start("-notification", "unix://" + nsock, "-listen-vpnkit", "unix://" + vpnkit);
        assertEquals(READY, receiver.next(), "ready even without -listen endpoints");
        try (SocketChannel ch = TestClients.connect(vpnkit)) {
            RawHttp c = new RawHttp(ch);
            byte[] init = new byte[49];
            System.arraycopy("VMN3T".getBytes(StandardCharsets.US_ASCII), 0, init, 0, 5);
            init[5] = 22;
            c.send(init);
            c.readBytes(49);
            byte[] command = new byte[41];
            command[0] = 1;
            c.send(command);
            c.readBytes(258);
            c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
            c.readBytes(2 + ArpFrames.LENGTH);
            assertTrue(receiver.next().startsWith("{\"notification_type\":\"connection_established\""));
        }
        assertTrue(receiver.next().startsWith("{\"notification_type\":\"connection_closed\""));
    }

    @Test
    void readyComesAfterListenAndBeforeServices() throws Exception {
        Path nsock = dir.resolve("n.sock");
        NotificationReceiver receiver = new NotificationReceiver(nsock);
        toClose.add(receiver);
        Path busy = dir.resolve("busy.sock");
        start("-listen", "unix://" + busy);
        Path api = dir.resolve("api.sock");
        // -listen failing: no ready.
        assertThrows(StartupException.class, () -> start("-notification", "unix://" + nsock, "-listen",
                "unix://" + api, "-listen", "unix://" + busy));
        assertNull(receiver.poll(300));
        // -services failing: ready was already sent, as upstream sends it before opening -services.
        assertThrows(StartupException.class, () -> start("-notification", "unix://" + nsock, "-listen",
                "unix://" + api, "-services", "unix://" + busy));
        assertEquals(READY, receiver.next());
    }

    @Test
    void failedVmListenerSendsHypervisorError() throws Exception {
        Path nsock = dir.resolve("n.sock");
        NotificationReceiver receiver = new NotificationReceiver(nsock);
        toClose.add(receiver);
        Path qemu = dir.resolve("q.sock");
        start("-listen-qemu", "unix://" + qemu);
        assertThrows(StartupException.class, () -> start("-notification", "unix://" + nsock, "-listen-qemu",
                "unix://" + qemu));
        assertEquals(READY, receiver.next());
        assertEquals("{\"notification_type\":\"hypervisor_error\"}\n", receiver.next());
    }

    @Test
    void stdioLinkFailureSendsHypervisorError() throws Exception {
        Path nsock = dir.resolve("n.sock");
        NotificationReceiver receiver = new NotificationReceiver(nsock);
        toClose.add(receiver);
        RecordingHandler failing = new RecordingHandler() {
            @Override
            public void stdio(ReadableByteChannel in, WritableByteChannel out) throws IOException {
                throw new IOException("link broke");
            }
        };
        Pipe toGvproxy = Pipe.open();
        Pipe fromGvproxy = Pipe.open();
        GvproxyServer s = GvproxyServer.start(Options.of("-notification", "unix://" + nsock, "-listen-stdio",
                "accept"), failing, log, () -> new StdioChannels(toGvproxy.source(), fromGvproxy.sink()));
        toClose.add(s);
        assertEquals(1, s.awaitExit());
        assertEquals(READY, receiver.next());
        assertEquals("{\"notification_type\":\"hypervisor_error\"}\n", receiver.next());
    }

    @Test
    void missingReceiverIsLoggedAndGvproxyRuns() throws Exception {
        Path api = dir.resolve("api.sock");
        start("-notification", "unix://" + dir.resolve("nobody-listens.sock"), "-listen", "unix://" + api);
        assertEquals(0, Curl.unix(api, "http://unix/stats").exit());
        TestClients.await("the failed send to be logged", () -> logText().contains("cannot send notification"));
    }
}
