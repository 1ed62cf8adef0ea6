package io.gvproxy.cli;

import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * The gvforwarder command, run inside a Linux guest without a virtual NIC: it connects a tap interface to gvproxy
 * ({@code -url}) and keeps reconnecting forever. Exit status: 0 for -version, -help, and when a link named in
 * -stop-if-exist exists at startup; 2 for a command-line error; 1 when the links cannot be listed.
 */
public final class GvforwarderMain {
    private GvforwarderMain() {
    }

    public static void main(String[] args) {
        // Children (the DHCP client, a stdio: transport) would outlive a SIGTERM'd JVM; end them by their own pids.
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().children().forEach(ProcessHandle::destroy)));
        UncaughtErrors.install(new LogrusLogger(System.err, false, LogrusLogger.Level.INFO, Clock.systemUTC()));
        System.exit(run(args, System.out, System.err));
    }

    /** Parses the flags and, unless they say otherwise, runs the reconnect loop (which does not return). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        GoFlags flags = GvforwarderFlags.define();
        GvforwarderOptions options;
        try {
            ParsedFlags parsed = flags.parse(Arrays.asList(args));
            if (parsed.bool("version")) {
                out.println(versionLine());
                out.flush();
                return GvproxyMain.EXIT_OK;
            }
            options = GvforwarderFlags.validate(parsed);
        } catch (HelpRequestedException e) {
            err.print(flags.usage());
            err.flush();
            return GvproxyMain.EXIT_OK;
        } catch (FlagException e) {
            err.println(e.getMessage());
            err.flush();
            return e.exitStatus();
        }
        LogrusLogger log = new LogrusLogger(err, false, LogrusLogger.Level.INFO, Clock.systemUTC());
        List<String> links;
        try {
            links = NetworkLinkNames.current();
        } catch (IOException e) {
            log.fatal("cannot list network interfaces: " + e.getMessage());
            return GvproxyMain.EXIT_FAILURE;
        }
        for (String link : links) {
            if (options.stopIfExist().contains(link)) {
                log.info("interface " + link + " prevented this program to run");
                return GvproxyMain.EXIT_OK;
            }
        }
        reconnectForever(options, log);
        return GvproxyMain.EXIT_FAILURE;
    }

    static String versionLine() {
        return "gvforwarder version " + Version.version();
    }

    private static void reconnectForever(GvforwarderOptions options, LogrusLogger log) {
        Counters counters = new Counters();
        ReconnectBackoff backoff = new ReconnectBackoff();
        while (true) {
            long start = System.nanoTime();
            Exception e = new ForwarderSession(options, log, counters).run();
            long lasted = (System.nanoTime() - start) / 1_000_000;
            long wait = backoff.afterSession(lasted);
            log.error(e.getMessage() + "; reconnecting in " + wait / 1000.0 + " s");
            try {
                Thread.sleep(wait);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
