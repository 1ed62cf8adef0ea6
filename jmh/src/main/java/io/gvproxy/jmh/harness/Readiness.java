package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits until something a path set up is usable. */
final class Readiness {
    private Readiness() {
    }

    static void await(String what, Duration limit, BooleanSupplier ready) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not ready within " + limit.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Until one ping from the guest to {@code address} is answered (every 0.5 s, each with a 1 s wait). */
    static void awaitPing(Namespace ns, String address, Duration limit) {
        await("ping " + address + " from " + ns.name(), limit,
                () -> ns.exec("ping", "-c", "1", "-W", "1", address).ok());
    }

    /** Until {@code cidr} is on {@code dev} in the guest, as the path's {@code owner} process configures it. */
    static void awaitAddress(Namespace ns, String dev, String cidr, Process owner, Duration limit) {
        await(cidr + " on " + dev + " in " + ns.name(), limit, () -> {
            if (!owner.isAlive()) {
                throw new IllegalStateException(owner.info().command().orElse("the proxy") + " exited with "
                        + owner.exitValue());
            }
            return ns.exec("ip", "-4", "addr", "show", "dev", dev).output().contains(cidr);
        });
    }

    static void awaitListening(Process server, int port, Duration limit) {
        await("a server listening on port " + port, limit, () -> {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server for port " + port + " exited with " + server.exitValue());
            }
            return ProcFs.listening(server.pid(), port);
        });
    }

    static void awaitUnixSocket(Path socket, Process owner, Duration limit) {
        await("unix socket " + socket, limit, () -> {
            if (!owner.isAlive()) {
                throw new IllegalStateException(socket + ": its server exited with " + owner.exitValue());
            }
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
