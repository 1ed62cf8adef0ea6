package io.gvproxy.core.nat;

import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;

/**
 * Upstream probes idle host connections after one minute (Go's dialer default); the OS default is two hours,
 * too long to notice a dead peer. The idle time is a JDK extended option, which some platforms lack.
 */
final class HostKeepalive {
    static final int IDLE_SECONDS = 60;
    private static final SocketOption<Integer> KEEP_IDLE = option("TCP_KEEPIDLE");
    private static final SocketOption<Integer> KEEP_INTERVAL = option("TCP_KEEPINTERVAL");

    private HostKeepalive() {
    }

    static void apply(NetworkChannel ch) throws IOException {
        set(ch, KEEP_IDLE);
        set(ch, KEEP_INTERVAL);
    }

    private static void set(NetworkChannel ch, SocketOption<Integer> o) throws IOException {
        if (o != null && ch.supportedOptions().contains(o)) {
            ch.setOption(o, IDLE_SECONDS);
        }
    }

    @SuppressWarnings("unchecked")
    private static SocketOption<Integer> option(String name) {
        try {
            return (SocketOption<Integer>) Class.forName("jdk.net.ExtendedSocketOptions").getField(name).get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
