package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.ffm.VsockAddress;
import io.gvproxy.ffm.VsockListener;
import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * gvproxy's {@code -listen}, {@code -services} and {@code -listen-vpnkit} on AF_VSOCK, as far as this kernel allows:
 * bind, listen and a clean close. It has no vsock loopback (a connect to CID 1 times out), so no peer ever connects
 * here; the data path behind the acceptor is the one tested over unix sockets.
 */
@Timeout(60)
class VsockListenersTest {
    /** VMADDR_PORT_ANY: the kernel picks a free port, so parallel runs do not collide. */
    private static final String ANY_PORT = "vsock://:4294967295";

    static void requireVsock() {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/vsock")),
                "/dev/vsock is missing: this kernel offers no AF_VSOCK, so vsock listeners cannot be bound");
    }

    @Test
    void bindsEveryVsockListenerAndReleasesThemOnClose() throws Exception {
        requireVsock();
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.INFO, Clock.systemUTC());
        List<VsockAddress> bound;
        try (GvproxyServer s = GvproxyServer.start(Options.of("-listen", ANY_PORT, "-services", ANY_PORT,
                "-listen-vpnkit", ANY_PORT), new RecordingHandler(), log, null)) {
            bound = List.of(vsock(s.apiAddresses().getFirst()), vsock(s.servicesAddress().orElseThrow()),
                    vsock(s.vpnkitAddress().orElseThrow()));
            long localCid = VsockListener.localCid();
            for (VsockAddress a : bound) {
                // Upstream (mdlayher/vsock) binds an empty CID to the machine's own CID.
                assertEquals(localCid, a.cid(), a.toString());
                assertNotEquals(4294967295L, a.port(), "the kernel picked a port");
            }
            String text;
            synchronized (log) {
                text = logBytes.toString(StandardCharsets.UTF_8);
            }
            assertTrue(text.contains("msg=\"listening " + ANY_PORT + "\""), text);
            assertTrue(text.contains("msg=\"listening vpnkit on " + ANY_PORT + "\""), text);
        }
        for (VsockAddress a : bound) {
            // Each port is free again, and no accept thread is left blocked in native code.
            VsockListener.bind(a).close();
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().endsWith("-accept") || !t.isAlive(), "accept thread left: " + t.getName());
        }
    }

    private static VsockAddress vsock(SocketAddress a) {
        return assertInstanceOf(VsockSocketAddress.class, a).address();
    }
}
