package io.gvproxy.cli;

import io.gvproxy.ffm.LibC;
import io.gvproxy.ffm.NativeException;
import io.gvproxy.ffm.Platform;
import io.gvproxy.ffm.Spawn;
import io.gvproxy.ffm.SpawnedProcess;
import io.gvproxy.ffm.UnixSocketFiles;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;

/**
 * The qemu-wrapper command: {@code qemu-wrapper <unix-socket> <qemu-binary> [qemu args...]} connects to gvproxy's
 * {@code -listen-qemu unix://} socket and runs QEMU with that connection as fd 3 (for {@code -netdev socket,fd=3}),
 * stdio inherited. It waits for QEMU and exits with its status (128 + n when signal n ended it); SIGTERM and SIGINT
 * are passed on to QEMU instead of ending the wrapper. Exit status 2 for a usage error, 1 when the socket cannot be
 * reached or QEMU cannot be started.
 */
public final class QemuWrapperMain {
    static final int QEMU_FD = 3;

    private QemuWrapperMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.err, true));
    }

    /** Runs the wrapper; {@code forwardSignals} installs the SIGTERM/SIGINT forwarding (process-wide). */
    static int run(String[] args, PrintStream err, boolean forwardSignals) {
        if (args.length < 2) {
            err.println("usage: qemu-wrapper <unix-socket> <qemu-binary> [qemu args...]");
            return GvproxyMain.EXIT_USAGE;
        }
        Path socket = Path.of(args[0]);
        List<String> command = Arrays.asList(args).subList(1, args.length);
        int fd;
        try {
            fd = UnixSocketFiles.connect(socket, Platform.current().constants().sockStream());
        } catch (NativeException | RuntimeException e) {
            err.println("qemu-wrapper: dial unix " + socket + ": " + e.getMessage());
            return GvproxyMain.EXIT_FAILURE;
        }
        SpawnedProcess qemu;
        try {
            qemu = Spawn.start(command, Map.of(QEMU_FD, fd));
        } catch (NativeException | RuntimeException e) {
            err.println("qemu-wrapper: " + e.getMessage());
            return GvproxyMain.EXIT_FAILURE;
        } finally {
            // QEMU holds its own copy; ours would keep the connection open after QEMU ends.
            LibC.closeQuietly(fd);
        }
        if (forwardSignals) {
            for (String name : List.of("TERM", "INT")) {
                Signal.handle(new Signal(name), s -> forward(qemu, s.getNumber(), err));
            }
        }
        try {
            return qemu.waitFor();
        } catch (NativeException e) {
            err.println("qemu-wrapper: " + e.getMessage());
            return GvproxyMain.EXIT_FAILURE;
        }
    }

    private static void forward(SpawnedProcess qemu, int signal, PrintStream err) {
        try {
            qemu.signal(signal);
        } catch (NativeException e) {
            err.println("qemu-wrapper: forwarding signal " + signal + ": " + e.getMessage());
        }
    }
}
