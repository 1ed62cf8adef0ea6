package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A loopback TCP port that was free a moment ago (the OS picks it; the race is accepted). */
final class FreePort {
    private FreePort() {
    }

    static int loopback() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port that was free for both TCP and UDP a moment ago (a few tries; the race is accepted). */
    static int loopbackTcpAndUdp() {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = loopback();
            try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // Taken for UDP by someone else: pick another.
            }
        }
        throw new IllegalStateException("no loopback port free for both TCP and UDP in 20 tries");
    }
}
