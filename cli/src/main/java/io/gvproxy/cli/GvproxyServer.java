package io.gvproxy.cli;

import io.gvproxy.cli.http.api.ApiRoutes;
import io.gvproxy.cli.notification.NotificationSender;
import io.gvproxy.core.forward.ForwardException;
import io.gvproxy.core.forward.PortForwarder;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A running gvproxy: pid file, HTTP API endpoints, notifications, VM listeners and the stdio link, handing each VM
 * connection to a {@link VmConnectionHandler}. Unlike upstream, the end of a QEMU or BESS connection does not end the
 * process: the VM can reconnect (for example after a reboot of QEMU).
 */
public final class GvproxyServer implements AutoCloseable {
    /** Bounds the threads and buffers local clients can make gvproxy hold; far above real VPNKit use. */
    public static final int MAX_VPNKIT_CONNECTIONS = 256;

    private final LogrusLogger log;
    private final List<AcceptLoop> loops = new ArrayList<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean exitRequested = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private PidFile pidFile;
    private AcceptLoop qemu;
    private AcceptLoop vpnkit;
    private BessAcceptLoop bess;
    private VfkitEndpoint vfkit;
    private StdioChannels stdio;
    private VmConnectionHandler handler;
    private ApiListeners api;
    private NotificationSender notifications;
    private PortForwarder forwarder;
    private GuestApiServer guestApi;

    /** A server that has opened nothing yet, so that signal handlers can target it before it starts. */
    public GvproxyServer(LogrusLogger log) {
        this.log = log;
    }

    /** Creates and opens a server in one step. */
    public static GvproxyServer start(GvproxyOptions options, VmConnectionHandler handler, LogrusLogger log,
            Supplier<StdioChannels> stdioSource) throws StartupException {
        GvproxyServer s = new GvproxyServer(log);
        s.open(options, handler, stdioSource);
        return s;
    }

    /** Opens everything or nothing: on failure, what was already opened is closed again. Call once. */
    public synchronized void open(GvproxyOptions options, VmConnectionHandler handler, Supplier<StdioChannels> stdioSource)
            throws StartupException {
        if (closed.get()) {
            throw new StartupException("gvproxy is shutting down");
        }
        this.handler = handler;
        try {
            if (options.pidFile().isPresent()) {
                pidFile = PidFile.write(options.pidFile().get());
            }
            if (options.notification().isPresent()) {
                notifications = NotificationSender.start(options.notification().get().path(), log);
                handler.network().vswitch().addListener(notifications);
            }
            // The API first: it needs no network until a request comes, and the network is still being built
            // (NetworkStackHandler.create). The forwards and gateway:80 wait for it, so the VM listeners below
            // open only once it exists. Upstream also opens gateway:80 after "ready".
            openApi(options, handler);
            openForwards(options);
            if (options.vpnkit().isPresent()) {
                OpenedAcceptor sock = bindVmListener(options.vpnkit().get());
                vpnkit = new AcceptLoop("vpnkit", sock, MAX_VPNKIT_CONNECTIONS, handler::vpnkit, log);
                loops.add(vpnkit);
            }
            if (options.qemu().isPresent()) {
                OpenedAcceptor sock = bindVmListener(options.qemu().get());
                qemu = new AcceptLoop("qemu", sock, 1, handler::qemu, log);
                loops.add(qemu);
            }
            if (options.bess().isPresent()) {
                bess = BessAcceptLoop.bind(options.bess().get(), handler, log);
            }
            if (options.vfkit().isPresent()) {
                vfkit = VfkitEndpoint.bind(options.vfkit().get(), handler, log, this::requestExit);
            }
        } catch (StartupException e) {
            close();
            throw e;
        }
        if (loops.isEmpty() && bess == null && vfkit == null && options.stdio().isEmpty()
                && options.listen().isEmpty()) {
            log.warn("no VM listener configured (-listen-qemu, -listen-vpnkit, -listen-bess, -listen-vfkit,"
                    + " -listen-stdio or -listen for /connect); waiting for a signal");
        }
        loops.forEach(l -> l.onAcceptFailure(this::hypervisorError));
        loops.forEach(AcceptLoop::start);
        if (bess != null) {
            bess.start();
        }
        if (vfkit != null) {
            vfkit.start();
        }
        if (options.stdio().isPresent()) {
            stdio = stdioSource.get();
            Thread.ofVirtual().name("stdio").start(() -> serveStdio(handler));
        }
    }

    /** Host → guest forwards, created on first use so that a server without any needs no network. */
    private synchronized PortForwarder forwarder() {
        if (forwarder == null) {
            forwarder = new PortForwarder(handler.network(), log::warn);
        }
        return forwarder;
    }

    /**
     * The static forwards (default mode: 127.0.0.1:{@code -ssh-port} → deviceIP:22 unless -1; config mode:
     * {@code stack.forwards}), and the API inside the VM on gatewayIP:80.
     */
    private void openForwards(GvproxyOptions options) throws StartupException {
        for (PortForwarder.Forward f : options.stack().forwards()) {
            try {
                forwarder().expose(f.protocol(), f.local(), f.remote());
            } catch (ForwardException e) {
                throw new StartupException("cannot add the forward " + f.protocol() + " " + f.local() + " -> "
                        + f.remote() + ": " + e.getMessage());
            }
        }
        guestApi = GuestApiServer.start(handler.network(),
                ApiRoutes.guest(this::forwarder, options.guestExposeUnrestricted()), log).orElse(null);
    }

    /** Upstream's order: the -listen APIs, then "ready", then -services (VM listeners come after both). */
    private void openApi(GvproxyOptions options, VmConnectionHandler handler) throws StartupException {
        api = new ApiListeners(log);
        for (ListenUrl url : options.listen()) {
            api.listen("api", url, ApiRoutes.listen(handler::network, this::forwarder, handler::connect));
        }
        if (notifications != null) {
            notifications.ready();
        }
        if (options.services().isPresent()) {
            api.listen("services", options.services().get(), ApiRoutes.services(handler::network, this::forwarder));
        }
    }

    private OpenedAcceptor bindVmListener(ListenUrl url) throws StartupException {
        try {
            return OpenedAcceptor.bind(url, false, log);
        } catch (StartupException e) {
            hypervisorError();
            throw e;
        }
    }

    private void hypervisorError() {
        if (notifications != null) {
            notifications.hypervisorError();
        }
    }

    private void serveStdio(VmConnectionHandler handler) {
        log.info("stdio: VM link on stdin/stdout");
        try {
            handler.stdio(stdio.in(), stdio.out());
            requestExit(0, "stdin closed");
        } catch (IOException e) {
            if (!closed.get()) {
                log.error("stdio: " + StartupException.reason(e));
                hypervisorError();
            }
            requestExit(1, "stdio link failed");
        } catch (RuntimeException e) {
            log.error("stdio: link failed: " + e);
            hypervisorError();
            requestExit(1, "stdio link failed");
        }
    }

    /** Asks the process to stop with this status; the first request wins. */
    public void requestExit(int status, String reason) {
        if (exitRequested.compareAndSet(false, true)) {
            // Logged before waking awaitExit(), so the line is written before the process can end.
            log.info("gvproxy exiting: " + reason);
            exit.complete(status);
        }
    }

    /** Blocks until {@link #requestExit} is called and returns its status. */
    public int awaitExit() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<SocketAddress> qemuAddress() {
        return qemu == null ? Optional.empty() : Optional.of(qemu.localAddress());
    }

    /** The bound -listen endpoints, in command-line order. */
    public List<SocketAddress> apiAddresses() {
        return api == null ? List.of() : api.addresses("api");
    }

    public Optional<SocketAddress> servicesAddress() {
        return api == null ? Optional.empty() : api.addresses("services").stream().findFirst();
    }

    /** A {@link VsockSocketAddress} for a vsock listener. */
    public Optional<SocketAddress> vpnkitAddress() {
        return vpnkit == null ? Optional.empty() : Optional.of(vpnkit.localAddress());
    }

    /** Number of VM connections currently being served on the bess listener (0 or 1). */
    public int activeBessConnections() {
        return bess == null ? 0 : bess.activeCount();
    }

    /** Number of VM connections currently being served on the qemu listener (0 or 1). */
    public int activeQemuConnections() {
        return qemu == null ? 0 : qemu.activeCount();
    }

    /** Closes listeners and VM connections, removes the socket files and the pid file. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        loops.forEach(AcceptLoop::close);
        if (bess != null) {
            bess.close();
        }
        if (vfkit != null) {
            vfkit.close();
        }
        if (api != null) {
            api.close();
        }
        if (guestApi != null) {
            guestApi.close();
        }
        synchronized (this) {
            if (forwarder != null) {
                forwarder.close();
            }
        }
        if (stdio != null) {
            closeQuietly(stdio.in());
            closeQuietly(stdio.out());
        }
        if (handler != null) {
            closeQuietly(handler);
        }
        if (notifications != null) {
            // After the handler, so that the last connection_closed events still go out.
            notifications.close();
        }
        if (pidFile != null) {
            pidFile.remove();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Shutting down; nothing to recover.
        }
    }
}
