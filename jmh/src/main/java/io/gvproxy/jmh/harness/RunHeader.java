package io.gvproxy.jmh.harness;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The dated heading of a report: machine, kernel, JDK, tool versions, load average, commit and method. */
record RunHeader(String title, String started, String machine, String software, String loadBefore, String method) {
    static RunHeader before(HarnessOptions o, Toolbox tools) {
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                + " UTC";
        String machine = cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, " + memTotal()
                + "; kernel " + System.getProperty("os.version");
        String software = "JDK " + System.getProperty("java.vm.vendor") + " " + System.getProperty(
                "java.runtime.version") + "; " + firstLine("iperf3", "--version") + "; " + firstLine("slirp4netns",
                "--version") + "; " + pastaVersion() + "; commit " + commit(o.root());
        String durations = java.util.Arrays.stream(TestKind.values())
                .map(t -> t.label() + " " + t.seconds(o.smoke()) + " s").collect(Collectors.joining(", "));
        String method = (o.smoke() ? "smoke mode, " : "") + "median of " + o.reps() + " repetition(s) with min-max; "
                + durations + (o.smoke() ? "" : "; a repetition whose foreign CPU exceeds " + (int) o.foreignLimit()
                + " % of one core runs once more") + ". Command: " + o.commandLine() + ".";
        return new RunHeader(o.title(), started, machine, software, ProcFs.loadAverage(), method);
    }

    static String after() {
        return ProcFs.loadAverage();
    }

    String render(String loadAfter) {
        return "### " + title + " (" + started + ")\n\n" + machine + "; load average " + loadBefore + " before, "
                + loadAfter + " after.\n" + software + ".\n" + method + "\n";
    }

    /** Null when the tools of path {@code id} are on PATH, otherwise the missing one. */
    static String missingTool(String id) {
        for (String tool : switch (id) {
            case "slirp4netns" -> List.of("iperf3", "slirp4netns");
            case "pasta" -> List.of("iperf3", "pasta");
            default -> List.of("iperf3");
        }) {
            if (!onPath(tool)) {
                return tool;
            }
        }
        return null;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Debian's pasta prints "pasta unknown version"; the package version says which snapshot it is. */
    private static String pastaVersion() {
        String v = firstLine("pasta", "--version");
        if (v.contains("unknown version") && onPath("dpkg-query")) {
            return "pasta (Debian passt " + firstLine("dpkg-query", "-W", "-f", "${Version}", "passt") + ")";
        }
        return v;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB RAM").findFirst()
                    .orElse("? RAM");
        } catch (IOException e) {
            return "? RAM";
        }
    }

    private static String commit(Path root) {
        String rev = firstLine("git", "-C", root.toString(), "rev-parse", "--short", "HEAD");
        String dirty = firstLine("git", "-C", root.toString(), "status", "--porcelain", "--untracked-files=no");
        return rev + (dirty.isEmpty() || dirty.startsWith("(") ? "" : " with uncommitted changes");
    }

    /** The first line of a short command's output, or "(TOOL unavailable)". */
    private static String firstLine(String... command) {
        if (!onPath(command[0])) {
            return "(" + command[0] + " not installed)";
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            int nl = out.indexOf('\n');
            return nl < 0 ? out : out.substring(0, nl);
        } catch (IOException e) {
            return "(" + command[0] + " unavailable)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(" + command[0] + " unavailable)";
        }
    }
}
