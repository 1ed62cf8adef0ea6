package io.gvproxy.ffm;

import io.gvproxy.core.nat.EchoDeniedException;
import io.gvproxy.core.nat.EchoMessage;
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

    /**
     * Opens, polls and closes one socket. The first ping socket of a process costs the linking of its native
     * calls, which held a guest's first echo replies back by most of a second on a loaded machine; done when the
     * first VM connects, that cost is paid before the guest pings, and a refusal is logged at once.
     */
    public void warmUp() {
        try (EchoSocket s = open()) {
            s.receive(new EchoMessage(Short.BYTES), 0);
        } catch (IOException | RuntimeException e) {
            // a refusal was logged by open(); any other failure shows again at the guest's first ping
        }
    }
}
