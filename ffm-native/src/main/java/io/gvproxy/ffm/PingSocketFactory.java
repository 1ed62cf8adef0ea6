package io.gvproxy.ffm;

import io.gvproxy.core.nat.EchoDeniedException;
import io.gvproxy.core.nat.EchoSocket;
import io.gvproxy.core.nat.EchoSocketFactory;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Opens {@link PingSocket}s for the NAT. The first refusal by the system (the group outside
 * {@code net.ipv4.ping_group_range}) is logged once, with the sysctl to change; every later one only fails, so a
 * pinging guest cannot flood the log, and a changed sysctl takes effect with the next ping.
 */
public final class PingSocketFactory implements EchoSocketFactory {
    private final Consumer<String> warn;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param warn where the one line about refused ping sockets goes */
    public PingSocketFactory(Consumer<String> warn) {
        this.warn = warn;
    }

    @Override
    public EchoSocket open() throws IOException {
        try {
            return PingSocket.open();
        } catch (EchoDeniedException e) {
            if (warned.compareAndSet(false, true)) {
                warn.accept(e.getMessage());
            }
            throw e;
        }
    }
}
