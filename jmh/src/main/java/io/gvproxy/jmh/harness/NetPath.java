package io.gvproxy.jmh.harness;

import java.net.InetSocketAddress;

/**
 * One way between a namespace guest and the host, set up and ready: the host servers bind {@link #hostBind}, guest
 * clients dial {@link #hostAlias}, host clients reach the guest's port {@value #GUEST_PORT} at {@link #hostToGuest}.
 * {@link #close} stops its processes and deletes its namespace by their own ids.
 */
interface NetPath extends AutoCloseable {
    /** The port of the iperf3 server inside every guest. */
    int GUEST_PORT = 5201;

    /** Short name used on the command line, e.g. gvproxy-1500. */
    String id();


    Namespace guest();

    /** The address the host servers bind: 127.0.0.1, or the host end of the veth pair. */
    String hostBind();

    /** The address a guest client dials to reach a host server bound to {@link #hostBind}. */
    String hostAlias();

    /** Where a host client connects to reach guest port {@value #GUEST_PORT} (a port forward, or the veth peer). */
    InetSocketAddress hostToGuest();

    /** The userspace proxy's pid, or -1 when the path has none (veth). */
    long proxyPid();

    /** The guest-side forwarder's pid (our gvforwarder), or -1 when there is none. */
    long forwarderPid();

    /** Null while every process of the path runs; otherwise which one died. */
    String deadProcess();

    @Override
    void close();
}
