package io.gvproxy.jmh.startup;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Time from exec until a freshly started server accepts a connection on a UNIX socket, over N runs.
 *
 * <p>Usage: {@code java TimeToListen.java [--runs N] [--label TEXT] [--rss-after-ms MS] [--request PATH] --
 * COMMAND...}.
 * Every {@code @SOCKET@} in COMMAND becomes the path of a fresh socket in a new temporary directory, e.g.
 * {@code -- cli/target/image/bin/gvproxy -listen-qemu unix://@SOCKET@ -ssh-port -1}; the same harness measures
 * {@code -listen unix://@SOCKET@}. Each run: start the command (clock starts just before the exec), try to
 * connect every millisecond until a connect succeeds (clock stops), optionally wait and read the process's
 * VmRSS, then SIGTERM it and wait for it to exit. Prints one markdown table row with min, median, p90 and
 * max in milliseconds, the median CPU time the server had used when it accepted (all its threads, from
 * {@code /proc/PID/task/TID/schedstat}; on a loaded machine wall time mostly measures the wait for a core, CPU time
 * much less so) and the median idle RSS when asked. With {@code --request PATH} (an HTTP server such as
 * gvproxy's {@code -listen} API), it also sends {@code GET PATH} right after that first connect and reports the
 * median time from exec until the response's status line arrived: the time to a first answer, which includes
 * whatever start-up work was left for after listening.
 *
 * <p>It is a standalone program (JDK only) so that {@code jmh/bin/time-to-listen} can run it with the
 * source launcher without building the module; its own startup is outside every measured interval.
 */
public final class TimeToListen {
    private static final long LISTEN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final long EXIT_LIMIT_MILLIS = 5_000;
    private static final String SOCKET_TOKEN = "@SOCKET@";

    private TimeToListen() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 20;
        String label = null;
        long rssAfterMillis = -1;
        String request = null;
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--label" -> label = args[++i];
                case "--rss-after-ms" -> rssAfterMillis = Long.parseLong(args[++i]);
                case "--request" -> request = args[++i];
                default -> usage("unknown option " + args[i]);
            }
        }
        if (i >= args.length - 1 || runs < 1) {
            usage("no command after --");
        }
        List<String> template = List.of(Arrays.copyOfRange(args, i + 1, args.length));
        if (template.stream().noneMatch(a -> a.contains(SOCKET_TOKEN))) {
            usage("the command must contain " + SOCKET_TOKEN);
        }
        double[] millis = new double[runs];
        long[] rssKib = new long[runs];
        double[] cpuMillis = new double[runs];
        double[] answerMillis = new double[runs];
        for (int run = 0; run < runs; run++) {
            Sample sample = measureOnce(template, rssAfterMillis, request);
            millis[run] = sample.nanos() / 1e6;
            rssKib[run] = sample.rssKib();
            cpuMillis[run] = sample.cpuNanos() / 1e6;
            answerMillis[run] = sample.answerNanos() / 1e6;
        }
        Arrays.sort(millis);
        Arrays.sort(rssKib);
        Arrays.sort(cpuMillis);
        Arrays.sort(answerMillis);
        String rss = rssAfterMillis < 0 ? "" : String.format(Locale.ROOT, " %.1f MiB |", rssKib[runs / 2] / 1024.0);
        String answer = request == null ? "" : String.format(Locale.ROOT, " %.0f |", percentile(answerMillis, 50));
        System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f |%s%s%n",
                label == null ? String.join(" ", template) : label, runs,
                millis[0], percentile(millis, 50), percentile(millis, 90), millis[runs - 1],
                percentile(cpuMillis, 50), answer, rss);
    }

    private record Sample(long nanos, long cpuNanos, long answerNanos, long rssKib) {
    }

    private static Sample measureOnce(List<String> template, long rssAfterMillis, String request) throws Exception {
        // /tmp, not java.io.tmpdir: UNIX socket paths must stay under 108 bytes.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ttl");
        Path socket = dir.resolve("s.sock");
        Path log = dir.resolve("server.log");
        List<String> command = new ArrayList<>();
        for (String arg : template) {
            command.add(arg.replace(SOCKET_TOKEN, socket.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            long elapsed = awaitAccept(process, socket, start, log);
            long cpu = cpuNanos(process.pid());
            long answer = request == null ? -1 : awaitAnswer(socket, request, start, log);
            long rss = -1;
            if (rssAfterMillis >= 0) {
                Thread.sleep(rssAfterMillis);
                rss = vmRssKib(process.pid());
            }
            return new Sample(elapsed, cpu, answer, rss);
        } finally {
            process.destroy();
            if (!process.waitFor(EXIT_LIMIT_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(EXIT_LIMIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(log);
            Files.deleteIfExists(dir);
        }
    }

    private static long awaitAccept(Process process, Path socket, long start, Path log) throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        while (true) {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                if (channel.connect(address)) {
                    return System.nanoTime() - start;
                }
            } catch (IOException notYet) {
                // No socket file yet, or nobody accepting on it yet: try again.
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + " before listening:\n"
                        + Files.readString(log));
            }
            if (System.nanoTime() - start > LISTEN_LIMIT_NANOS) {
                throw new IllegalStateException("server not listening on " + socket + " after 20 s:\n"
                        + Files.readString(log));
            }
            Thread.sleep(1);
        }
    }

    /** Sends {@code GET path} and returns the time from {@code start} until the status line has arrived. */
    private static long awaitAnswer(Path socket, String path, long start, Path log) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: unix\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(64);
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n") < 0) {
                if (channel.read(in.clear()) < 0) {
                    throw new IllegalStateException("connection closed before a status line:\n" + Files.readString(log));
                }
                head.append(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
            }
            long elapsed = System.nanoTime() - start;
            if (!head.toString().startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("GET " + path + " answered " + head.substring(0, head.indexOf("\r\n")));
            }
            return elapsed;
        }
    }

    /** CPU time of every thread of the process so far: the first field of each task's schedstat. */
    private static long cpuNanos(long pid) throws IOException {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("schedstat"));
                    total += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
                } catch (IOException threadEnded) {
                    // A thread that ended between the listing and the read: its time is lost, a tiny undercount.
                }
            }
        }
        return total;
    }

    private static long vmRssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static void usage(String problem) {
        System.err.println("time-to-listen: " + problem + "\nusage: TimeToListen [--runs N] [--label TEXT] "
                + "[--rss-after-ms MS] [--request PATH] -- COMMAND... (with " + SOCKET_TOKEN
                + " where the socket path goes)");
        System.exit(2);
    }
}
