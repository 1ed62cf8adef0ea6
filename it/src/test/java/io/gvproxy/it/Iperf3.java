package io.gvproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An iperf3 server on the host bound to one address ({@link #start}; stopped by its own pid on close), the client
 * command lines, and the figures read from a client's {@code -J} report.
 */
final class Iperf3 implements AutoCloseable {
    private static final Duration READY_LIMIT = Duration.ofSeconds(15);
    /** The report's top-level {@code end}; the intervals' {@code end} keys hold numbers. */
    private static final Pattern END_OBJECT = Pattern.compile("\"end\":\\s*\\{");
    private static final Pattern NUMBER = Pattern.compile("\\s*(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)");

    private final Process process;
    private final int port;

    private Iperf3(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** {@code iperf3 -s -B address} (flushing: its output is a file) on a free port, log in {@code <runDir>/iperf3.<name>.log}; returns once it listens. */
    static Iperf3 start(Path runDir, String name, String address) {
        int port = freePort(address);
        Path log = runDir.resolve("iperf3." + name + ".log");
        List<String> command = List.of("iperf3", "-s", "--forceflush", "-B", address, "-p",
                Integer.toString(port));
        Process p;
        try {
            Files.writeString(log, "# " + String.join(" ", command) + "\n");
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Iperf3 server = new Iperf3(p, port);
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        try {
            while (!ForwarderNamespace.read(log).contains("Server listening")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException("iperf3 server did not listen\n" + ForwarderNamespace.read(log));
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting iperf3", e);
        }
        return server;
    }

    int port() {
        return port;
    }

    /** {@code iperf3 -c host -p port -t seconds -J extra...}. */
    List<String> client(String host, int seconds, String... extra) {
        List<String> c = new ArrayList<>(List.of("iperf3", "-c", host, "-p", Integer.toString(port),
                "-t", Integer.toString(seconds), "-J"));
        c.addAll(List.of(extra));
        return c;
    }

    /** What the receiving side counted, in Gbit/s (TCP, either direction). */
    static double receivedGbits(String json) {
        return field(json, "sum_received", "bits_per_second") / 1e9;
    }

    /** The receiver's loss of a UDP test, in percent. */
    static double udpLossPercent(String json) {
        return field(json, "sum_received", "lost_percent");
    }

    /** The receiver's rate of a UDP test, in Mbit/s. */
    static double udpReceivedMbits(String json) {
        return field(json, "sum_received", "bits_per_second") / 1e6;
    }

    /** {@code end.<object>.<key>} of iperf3's report; the objects under {@code end} are flat. */
    private static double field(String json, String object, String key) {
        Matcher endObject = END_OBJECT.matcher(json);
        int end = endObject.find() ? endObject.start() : -1;
        int at = end < 0 ? -1 : json.indexOf("\"" + object + "\":", end);
        int close = at < 0 ? -1 : json.indexOf('}', at);
        int k = at < 0 ? -1 : json.indexOf("\"" + key + "\":", at);
        if (k < 0 || k > close) {
            throw new IllegalArgumentException("no end." + object + "." + key + " in iperf3 report:\n" + json);
        }
        Matcher m = NUMBER.matcher(json).region(k + key.length() + 3, json.length());
        if (!m.lookingAt()) {
            throw new IllegalArgumentException("end." + object + "." + key + " is not a number:\n" + json);
        }
        return Double.parseDouble(m.group(1));
    }

    private static int freePort(String address) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + address, e);
        }
    }

    @Override
    public void close() {
        ForwarderNamespace.stop(process);
    }
}
