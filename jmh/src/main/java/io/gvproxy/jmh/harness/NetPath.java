package io.gvproxy.jmh.harness;

import java.net.InetSocketAddress;

/**
 * One way between a namespace guest and the host, set up and ready: the host servers bind {@link #hostBind}, guest
 * clients dial {@link #hostAlias}, host clients reach the guest's port {@value #GUEST_PORT} at {@link #hostToGuest}.
 * The proxy and forwarder processes are null when the path has none. {@link #close} stops them and deletes the
 * namespace by their own ids, then runs {@code afterClose} (null: nothing).
 */
record NetPath(String id, Namespace guest, String hostBind, String hostAlias, InetSocketAddress hostToGuest,
        Spawner spawner, Process proxy, Process forwarder, Runnable afterClose) implements AutoCloseable {
    /** The port of the iperf3 server inside every guest. */
    static final int GUEST_PORT = 5201;

    long proxyPid() {
        return proxy == null ? -1 : proxy.pid();
    }

    long forwarderPid() {
        return forwarder == null ? -1 : forwarder.pid();
    }

    /** Null while the path's processes run; otherwise which one died. */
    String deadProcess() {
        if (proxy != null && !proxy.isAlive()) {
            return "the proxy (" + id + ") exited with " + proxy.exitValue();
        }
        return forwarder == null || forwarder.isAlive() ? null : "the forwarder exited with " + forwarder.exitValue();
    }

    @Override
    public void close() {
        stopAndDelete(spawner, guest, forwarder, proxy);
        if (afterClose != null) {
            afterClose.run();
        }
    }

    /** Stops the given processes (nulls skipped) in order, then deletes the namespace: also for a half-made path. */
    static void stopAndDelete(Spawner spawner, Namespace ns, Process... processes) {
        for (Process p : processes) {
            if (p != null) {
                spawner.stop(p);
            }
        }
        ns.close();
    }
}
