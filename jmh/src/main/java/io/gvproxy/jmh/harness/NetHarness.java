package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The network harness of issue 8 (run it with jmh/bin/net-harness): for each path (kernel veth, our gvproxy and
 * gvforwarder at some MTUs, slirp4netns, pasta) it builds a namespace guest, starts host servers on the path's host
 * address, runs guest→host and host→guest TCP (forward and -R), UDP at 500 Mbit/s, request/response and
 * connect+close N times each, and prints the tables of {@link ReportTable}. Exit status 1 when a test failed or a
 * path's process died; in smoke mode also on any stall (a request/response
 * round trip or a connection that waited more than 1 s) or connect error. Never on speed.
 */
public final class NetHarness {
    private final HarnessOptions options;
    private final Toolbox tools;
    private final Spawner spawner;
    private final Object cleanupLock = new Object();
    private final List<AutoCloseable> open = new ArrayList<>();

    private NetHarness(HarnessOptions options) {
        this.options = options;
        this.tools = Toolbox.fromRoot(options.root());
        this.spawner = new Spawner(options.stateDir(), options.stateDir());
    }

    public static void main(String[] args) throws Exception {
        HarnessOptions options;
        try {
            options = HarnessOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("net-harness: " + e.getMessage());
            System.exit(2);
            return;
        }
        NetHarness harness = new NetHarness(options);
        Runtime.getRuntime().addShutdownHook(new Thread(harness::closeAll, "net-harness-cleanup"));
        System.exit(harness.run());
    }

    private int run() throws IOException {
        RunHeader header = RunHeader.before(options, tools);
        log("run directory " + options.stateDir() + "; " + options.reps() + " repetition(s) of each test on "
                + String.join(", ", options.paths()));
        List<PathResult> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        notes.add("upstream gvproxy: " + (RunHeader.onPath("gvproxy") ? "installed, but this harness does not run it"
                : "not installed on this machine, not measured") + " (see shared peer-baseline.md for its numbers).");
        for (String id : options.paths()) {
            String missing = RunHeader.missingTool(id);
            if (missing != null) {
                notes.add(id + ": skipped, " + missing + " is not installed.");
                continue;
            }
            results.add(measurePath(id));
        }
        String report = header.render(RunHeader.after()) + "\n" + ReportTable.results(results) + "\n"
                + ReportTable.cpu(results) + "\n" + notesText(results, notes);
        System.out.println();
        System.out.println(report);
        if (options.appendResults() != null) {
            Files.writeString(options.appendResults(), "\n" + report, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            log("appended to " + options.appendResults());
        }
        return verdict(results);
    }

    private PathResult measurePath(String id) {
        PathResult result = new PathResult(id, label(id));
        log(id + ": setting up");
        NetPath path = null;
        try {
            path = startPath(id);
            register(path);
            try (EchoServer echo = new EchoServer(path.hostBind());
                    TinyHttpServer http = new TinyHttpServer(path.hostBind())) {
                TestRunner runner = new TestRunner(spawner, tools, path, FreePort.loopback(), echo.port(), http.port());
                runTests(path, runner, result);
            }
        } catch (Exception e) {
            result.fail("setup of " + id + ": " + e.getMessage());
            log(id + ": FAILED: " + e.getMessage());
        } finally {
            if (path != null) {
                unregisterAndClose(path);
            }
        }
        return result;
    }

    private void runTests(NetPath path, TestRunner runner, PathResult result) {
        for (TestKind test : options.tests()) {
            int seconds = test.seconds(options.smoke());
            for (int rep = 1; rep <= options.reps(); rep++) {
                Measurement m = runner.run(test, seconds);
                if (m.ok() && !options.smoke() && m.foreignCpu() > options.foreignLimit()) {
                    log(path.id() + ": " + test.label() + " rep " + rep + " disturbed (foreign CPU "
                            + ReportTable.fmt(m.foreignCpu(), 0) + " %), repeating it once");
                    result.countRepeated();
                    m = runner.run(test, seconds);
                }
                result.add(m);
                result.peakRss(path.proxyPid() < 0 ? -1 : ProcFs.peakRssKib(path.proxyPid()),
                        path.forwarderPid() < 0 ? -1 : ProcFs.peakRssKib(path.forwarderPid()));
                log(path.id() + ": " + test.label() + " rep " + rep + "/" + options.reps() + ": " + describe(m));
                String dead = path.deadProcess();
                if (dead != null) {
                    result.fail(dead + " during " + test.label());
                    log(path.id() + ": FAILED: " + dead);
                    return;
                }
            }
        }
    }

    private NetPath startPath(String id) throws IOException {
        Path state = options.stateDir();
        long run = options.runId();
        return switch (id) {
            case "veth" -> VethPath.start(spawner, state, run);
            case "slirp4netns" -> SlirpPath.start(spawner, state, run);
            case "pasta" -> PastaPath.start(spawner, state, run);
            default -> GvproxyPath.start(Integer.parseInt(id.substring("gvproxy-".length())), tools, spawner, state,
                    run);
        };
    }

    private static String label(String id) {
        return switch (id) {
            case "veth" -> "kernel veth";
            case "slirp4netns" -> "slirp4netns MTU 65520";
            case "pasta" -> "pasta MTU 65520";
            default -> "gvproxy (ours) MTU " + id.substring("gvproxy-".length());
        };
    }

    private static String describe(Measurement m) {
        if (!m.ok()) {
            return "FAILED: " + m.failure();
        }
        StringBuilder sb = new StringBuilder();
        m.values().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e ->
                sb.append(e.getKey()).append('=').append(String.format(Locale.ROOT, "%.3f", e.getValue())).append(' '));
        sb.append("cpu proxy ").append(ReportTable.fmt(m.proxyCpu(), 0)).append(" %, forwarder ")
                .append(ReportTable.fmt(m.forwarderCpu(), 0)).append(" %, machine ")
                .append(ReportTable.fmt(m.machineBusy(), 0)).append(" %, foreign ")
                .append(ReportTable.fmt(m.foreignCpu(), 0)).append(" %");
        return sb.toString();
    }

    private String notesText(List<PathResult> results, List<String> notes) {
        StringBuilder sb = new StringBuilder();
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        for (PathResult r : results) {
            for (String f : r.failures()) {
                sb.append("- ").append(r.id()).append(" FAILED: ").append(f).append('\n');
            }
        }
        return sb.toString();
    }

    /** 0 when every test produced a result and nothing died; in smoke mode also no stall and no connect error. */
    private int verdict(List<PathResult> results) {
        int status = 0;
        for (PathResult r : results) {
            if (!r.failures().isEmpty()) {
                status = 1;
            }
            if (options.smoke()) {
                double rrStalls = sum(r.values(TestKind.RR, "stalls"));
                double stalls = sum(r.values(TestKind.CRR, "stalls"));
                double errors = sum(r.values(TestKind.CRR, "errors"));
                if (rrStalls > 0 || stalls > 0 || errors > 0) {
                    log(r.id() + ": " + (long) rrStalls + " request/response stall(s); connect+close had "
                            + (long) stalls + " stall(s) and " + (long) errors + " error(s)");
                    status = 1;
                }
            }
        }
        log(status == 0 ? "all tests ran without errors" : "FAILED (see above)");
        return status;
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    private void register(AutoCloseable c) {
        synchronized (cleanupLock) {
            open.add(c);
        }
    }

    private void unregisterAndClose(NetPath path) {
        synchronized (cleanupLock) {
            if (!open.remove(path)) {
                return;
            }
        }
        path.close();
    }

    /** Run by the shutdown hook too (Ctrl-C): closes what is still open and stops every process by its pid. */
    private void closeAll() {
        List<AutoCloseable> toClose;
        synchronized (cleanupLock) {
            toClose = new ArrayList<>(open);
            open.clear();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                System.err.println("net-harness: cleanup: " + e);
            }
        }
        spawner.stopAll();
    }

    static void log(String line) {
        System.err.println("net-harness: " + line);
    }
}
