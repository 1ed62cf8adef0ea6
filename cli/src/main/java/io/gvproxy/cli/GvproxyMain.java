package io.gvproxy.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gvproxy command. Exit status: 0 on -help, -version, SIGTERM/SIGINT (upstream exits 1 on a clean stop; 0 lets
 * supervisors tell a clean stop from a failure) and when stdin ends under -listen-stdio; 2 for any command-line or
 * validation error and for flags that are not implemented yet; 1 when startup or the stdio link fails.
 */
public final class GvproxyMain {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    private GvproxyMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, NetworkStackHandler.FACTORY));
    }

    /** Runs gvproxy in this process with the real stdio and signal handling; returns the exit status. */
    public static int run(String[] args, VmConnectionHandlerFactory factory) {
        return run(args, factory, System.out, System.err, StdioChannels::process, true);
    }

    /**
     * Runs gvproxy; blocks until it stops. With {@code handleSignals}, SIGTERM and SIGINT stop it with status 0.
     * {@code out} receives only -version output; {@code err} receives usage, errors and (without -log-file) the log.
     */
    public static int run(String[] args, VmConnectionHandlerFactory factory, PrintStream out, PrintStream err,
            Supplier<StdioChannels> stdio, boolean handleSignals) {
        List<String> argList = Arrays.asList(args);
        GoFlags flags = GvproxyFlags.define();
        GvproxyOptions options;
        try {
            ParsedFlags parsed = flags.parse(argList);
            if (parsed.bool("version")) {
                out.println(Version.line());
                out.flush();
                return EXIT_OK;
            }
            List<String> commandLine = new ArrayList<>();
            commandLine.add("gvproxy");
            commandLine.addAll(argList);
            options = GvproxyOptionsValidator.validate(parsed, commandLine);
        } catch (HelpRequestedException e) {
            err.print(flags.usage());
            err.flush();
            return EXIT_OK;
        } catch (FlagException e) {
            return fail(err, e.getMessage(), e.exitStatus());
        }
        Optional<String> unimplemented = UnimplementedFlags.check(options);
        if (unimplemented.isPresent()) {
            return fail(err, unimplemented.get(), EXIT_USAGE);
        }

        LogrusLogger log;
        try {
            log = openLog(options, err);
        } catch (IOException e) {
            return fail(err, "unable to open log file " + options.logFile().orElseThrow() + ": "
                    + StartupException.reason(e), EXIT_FAILURE);
        }
        try (log) {
            return serve(options, factory, log, err, stdio, handleSignals);
        }
    }

    private static int serve(GvproxyOptions options, VmConnectionHandlerFactory factory, LogrusLogger log,
            PrintStream err, Supplier<StdioChannels> stdio, boolean handleSignals) {
        if (options.logFile().isPresent()) {
            log.debug("gvproxy version: " + GoQuote.quote(Version.version()));
            log.debug("os: " + GoQuote.quote(System.getProperty("os.name")) + " arch: "
                    + GoQuote.quote(System.getProperty("os.arch")));
            log.debug("command line: " + options.commandLine().stream().map(GoQuote::quote)
                    .reduce((a, b) -> a + " " + b).map(s -> "[" + s + "]").orElse("[]"));
        }
        if (handleSignals) {
            // Only in the real process: tests run gvproxy in-process and keep their own handlers.
            UncaughtErrors.install(log);
        }
        options.warnings().forEach(log::warn);
        GvproxyServer server = new GvproxyServer(log);
        Thread hook = new Thread(server::close, "gvproxy-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (handleSignals) {
            // Installed before anything is opened, so that no signal can exit with 128+n and skip the cleanup.
            TerminationSignals.handle(signal -> server.requestExit(EXIT_OK, "signal caught: " + signal));
        }
        try {
            VmConnectionHandler handler = factory.create(options, log);
            server.open(options, handler, stdio);
        } catch (StartupException | IOException | RuntimeException e) {
            // A RuntimeException here is a bug or a setting no check caught: still one line, not a stack trace.
            String msg = e instanceof StartupException ? e.getMessage()
                    : e instanceof IOException io ? StartupException.reason(io) : "cannot start: " + e;
            log.fatal(msg);
            if (options.logFile().isPresent()) {
                fail(err, msg, EXIT_FAILURE);
            }
            removeHook(hook);
            return EXIT_FAILURE;
        }
        int status;
        try {
            status = server.awaitExit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = EXIT_FAILURE;
        }
        server.close();
        removeHook(hook);
        return status;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook has run or will run close() again, which is harmless.
        }
    }

    private static LogrusLogger openLog(GvproxyOptions options, PrintStream err) throws IOException {
        LogrusLogger.Level level = options.logLevel();
        if (options.logFile().isPresent()) {
            OutputStream file = new FileOutputStream(options.logFile().get().toFile(), false);
            return new LogrusLogger(file, true, level, LogrusLogger.localTime());
        }
        return new LogrusLogger(err, false, level, LogrusLogger.localTime());
    }

    private static int fail(PrintStream err, String message, int status) {
        err.println(message);
        err.flush();
        return status;
    }
}
