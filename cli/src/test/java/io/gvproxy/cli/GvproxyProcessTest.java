package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.net.Ipv4;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs gvproxy as a real child JVM, to check exit statuses, signals and file cleanup end to end. */
class GvproxyProcessTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static String codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Process start(String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                String.join(File.pathSeparator, codeSource(GvproxyMain.class), codeSource(RecordingGvproxyMain.class),
                        codeSource(Ipv4.class), codeSource(io.gvproxy.ffm.PingSocketFactory.class),
                        codeSource(com.google.gson.Gson.class)),
                mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
        started.add(p);
        return p;
    }

    private Process gvproxy(String... args) throws IOException {
        return start("io.gvproxy.cli.GvproxyMain", args);
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("stderr.txt"));
    }

    private static int exitStatus(Process p) throws InterruptedException {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("gvproxy did not exit within 20 s");
        }
        return p.exitValue();
    }

    @Test
    void sigtermExitsZeroAndRemovesFiles() throws Exception {
        Path sock = dir.resolve("q.sock");
        Path pid = dir.resolve("gvproxy.pid");
        Process p = gvproxy("-listen-qemu", "unix://" + sock, "-pid-file", pid.toString());
        TestClients.await("socket and pid file", () -> Files.exists(sock) && Files.exists(pid) && p.isAlive());
        TestClients.await("pid written", () -> readQuietly(pid).equals(Long.toString(p.pid())));
        // The file appears at bind(), a moment before listen(); the log line comes after both.
        TestClients.await("listening log line", () -> stderrQuietly().contains("listening qemu on"));
        // This handler refuses the VM at once; sigintWithConnectedVm covers a VM that stays connected.
        try (SocketChannel vm = TestClients.connect(sock)) {
            TestClients.await("VM connection accepted", () -> stderrQuietly().contains("qemu: VM connected"));
            p.destroy();
            assertEquals(0, exitStatus(p), stderr());
        }
        assertFalse(Files.exists(sock), "socket file left behind");
        assertFalse(Files.exists(pid), "pid file left behind");
        assertTrue(stderr().contains("msg=\"gvproxy exiting: signal caught: SIGTERM\""), stderr());
    }

    @Test
    void sigintWithConnectedVmExitsZero() throws Exception {
        Path sock = dir.resolve("v.sock");
        Process p = start("io.gvproxy.cli.RecordingGvproxyMain", "-listen-vpnkit", "unix://" + sock);
        TestClients.await("listening log line", () -> stderrQuietly().contains("listening vpnkit on"));
        try (SocketChannel vm = TestClients.connect(sock)) {
            TestClients.assertEcho(vm, "connected");
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
            assertEquals(0, exitStatus(kill));
            assertEquals(0, exitStatus(p), stderr());
            TestClients.assertClosedByServer(vm);
        }
        assertFalse(Files.exists(sock));
        assertTrue(stderr().contains("signal caught: SIGINT"), stderr());
    }

    @Test
    void apiSocketServesCurlAndIsRemovedOnSigterm() throws Exception {
        Path api = dir.resolve("api.sock");
        Process p = gvproxy("-listen", "unix://" + api);
        TestClients.await("listening log line", () -> stderrQuietly().contains("listening unix://" + api));
        io.gvproxy.cli.http.Curl.Result r = io.gvproxy.cli.http.Curl.unix(api, "http://unix/cam");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("{}\n", r.stdout());
        p.destroy();
        assertEquals(0, exitStatus(p), stderr());
        assertFalse(Files.exists(api), "socket file left behind");
    }

    @Test
    void usageErrorExitsTwoWithOneLine() throws Exception {
        Process p = gvproxy("-mtu", "abc");
        assertEquals(2, exitStatus(p));
        assertEquals("invalid value \"abc\" for flag -mtu: parse error\n", stderr());
    }

    @Test
    void unimplementedFlagExitsTwo() throws Exception {
        Process p = gvproxy("-listen", "vsock://:1024");
        assertEquals(2, exitStatus(p));
        assertEquals("flag -listen with a vsock:// address is not implemented yet\n", stderr());
    }

    @Test
    void versionOnStdout() throws Exception {
        Process p = gvproxy("-version");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, exitStatus(p));
        assertEquals(Version.line() + "\n", out);
        assertFalse(out.contains("${"), out);
    }

    @Test
    void stdioLinkEndsWithStdinAndExitsZero() throws Exception {
        Process p = start("io.gvproxy.cli.RecordingGvproxyMain", "-listen-stdio", "accept");
        OutputStream toVm = p.getOutputStream();
        InputStream fromVm = p.getInputStream();
        toVm.write("ping".getBytes(StandardCharsets.UTF_8));
        toVm.flush();
        assertEquals("ping", new String(fromVm.readNBytes(4), StandardCharsets.UTF_8));
        toVm.close();
        assertEquals(0, exitStatus(p), stderr());
        assertTrue(stderr().contains("gvproxy exiting: stdin closed"), stderr());
    }

    @Test
    void staleSocketFromKilledProcessIsReplaced() throws Exception {
        Path sock = dir.resolve("q.sock");
        Process first = gvproxy("-listen-qemu", "unix://" + sock);
        TestClients.await("first listener", () -> stderrQuietly().contains("listening qemu on"));
        first.destroyForcibly();
        exitStatus(first);
        assertTrue(Files.exists(sock), "SIGKILL leaves the socket file");
        Process second = start("io.gvproxy.cli.RecordingGvproxyMain", "-listen-qemu", "unix://" + sock);
        TestClients.await("second listener", () -> stderrQuietly().contains("listening qemu on"));
        try (SocketChannel vm = TestClients.connect(sock)) {
            TestClients.assertEcho(vm, "hello");
        }
        assertTrue(stderr().contains("removed stale socket " + sock), stderr());
        second.destroy();
        assertEquals(0, exitStatus(second));
    }

    private String stderrQuietly() {
        try {
            return stderr();
        } catch (IOException e) {
            return "";
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
