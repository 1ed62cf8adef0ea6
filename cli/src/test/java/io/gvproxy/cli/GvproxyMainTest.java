package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the command in-process (no signal handlers) and checks exit status and output streams. */
@org.junit.jupiter.api.Timeout(60)
class GvproxyMainTest {
    @TempDir
    static Path dir;

    record Result(int status, String out, String err) {
    }

    private static Result run(VmConnectionHandlerFactory factory, Supplier<StdioChannels> stdio, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = GvproxyMain.run(args, factory, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), stdio, false);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Result run(String... args) {
        return run((o, l) -> new RecordingHandler(), GvproxyMainTest::closedStdin, args);
    }

    /** A stdin that is already at EOF, so -listen-stdio runs end at once. */
    private static StdioChannels closedStdin() {
        try {
            Pipe in = Pipe.open();
            in.sink().close();
            Pipe out = Pipe.open();
            return new StdioChannels(in.source(), out.sink());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertOneLineError(Result r, int status, String line) {
        assertEquals(status, r.status(), r.err());
        assertEquals(line + System.lineSeparator(), r.err());
        assertEquals("", r.out());
    }

    @Test
    void versionGoesToStdout() {
        Result r = run("-version");
        assertEquals(0, r.status());
        assertTrue(r.out().matches("gvproxy version \\d+\\.\\d+\\.\\d+\\S*" + System.lineSeparator()), r.out());
        assertEquals(Version.line() + System.lineSeparator(), r.out());
        assertEquals("", r.err());
        assertEquals(0, run("--version=true").status());
    }

    @Test
    void versionIsPrintedBeforeValidation() {
        assertEquals(0, run("-version", "-subnet", "bad").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "-help", "--help"})
    void helpListsEveryFlagOnStderrAndExitsZero(String arg) {
        Result r = run(arg);
        assertEquals(0, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("Usage of gvproxy:\n"), r.err());
        for (GoFlags.Flag f : GvproxyFlags.define().flags().values()) {
            assertTrue(r.err().contains("\n  -" + f.name() + (f.kind() == GoFlags.Kind.BOOL ? "\n" : " ")),
                    "usage misses -" + f.name());
            assertTrue(r.err().contains(f.usage()), "usage misses the meaning of -" + f.name());
        }
        assertTrue(r.err().contains("(default 2222)"));
        assertTrue(r.err().contains("(default \"192.168.127.0/24\")"));
        assertEquals(java.util.Set.of("listen", "debug", "pcap", "mtu", "ssh-port", "subnet", "gatewayIP", "deviceIP",
                "hostIP", "listen-vpnkit", "listen-qemu", "listen-bess", "listen-stdio", "listen-vfkit", "forward-sock",
                "forward-dest", "forward-user", "forward-identity", "pid-file", "log-file", "services",
                "ec2-metadata-access", "notification", "config", "version", "dns-server", "dns-search", "egress-allow",
                "egress-deny", "nat-connect-timeout", "udp-idle-timeout", "udp-max-flows", "guest-expose-unrestricted"),
                GvproxyFlags.define().flags().keySet());
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(List.of("-nope"), "flag provided but not defined: -nope"),
                Arguments.of(List.of("-mtu"), "flag needs an argument: -mtu"),
                Arguments.of(List.of("-mtu", "abc"), "invalid value \"abc\" for flag -mtu: parse error"),
                Arguments.of(List.of("-debug=maybe"), "invalid boolean value \"maybe\" for -debug: parse error"),
                Arguments.of(List.of("-mtu", "20"), "mtu value must be between 68 and 65520 (0 means 1500), got 20"),
                Arguments.of(List.of("-subnet", "10.0.0.0/30"), "subnet too small: 10.0.0.0/30 (must be /29 or larger)"),
                Arguments.of(List.of("-listen-bess", "unix:///a"), "bess listen address must be unixpacket:// address"),
                Arguments.of(List.of("extra"), "unexpected argument \"extra\": gvproxy takes only flags"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void usageErrorsAreOneLineAndExitTwo(List<String> args, String message) {
        assertOneLineError(run(args.toArray(String[]::new)), 2, message);
    }

    static Stream<Arguments> unimplemented() throws IOException {
        Path key = Files.writeString(dir.resolve("id_ed25519"), "key");
        return Stream.of(
                Arguments.of(List.of("-forward-sock", "/a", "-forward-dest", "/b", "-forward-user", "u",
                        "-forward-identity", key.toString()), "forward-sock"));
    }

    @ParameterizedTest
    @MethodSource("unimplemented")
    void unimplementedFlagsStopWithOneLine(List<String> args, String flag) {
        assertOneLineError(run(args.toArray(String[]::new)), 2, "flag -" + flag + " is not implemented yet");
    }

    @Test
    void sshPortIsImplemented() throws Exception {
        GoFlags flags = GvproxyFlags.define();
        for (String arg : List.of("-ssh-port=-1", "-ssh-port=2223")) {
            GvproxyOptions options = GvproxyOptionsValidator.validate(flags.parse(List.of(arg)), List.of());
            assertEquals(java.util.Optional.empty(), UnimplementedFlags.check(options), arg);
        }
    }

    @Test
    void vsockListenersPassTheUnimplementedCheck() throws Exception {
        GoFlags flags = GvproxyFlags.define();
        for (List<String> args : List.of(List.of("-listen", "vsock://:1024"), List.of("-services", "vsock://2:1025"),
                List.of("-listen-vpnkit", "vsock://4294967295:1024"))) {
            GvproxyOptions options = GvproxyOptionsValidator.validate(flags.parse(args), List.of());
            assertEquals(java.util.Optional.empty(), UnimplementedFlags.check(options), args.toString());
        }
    }

    @Test
    void validationComesBeforeTheUnimplementedCheck() {
        assertOneLineError(run("-ssh-port", "22"), 2, "ssh-port value must be between 1024 and 65535");
    }

    @Test
    void everyUnimplementedNameIsAFlag() {
        assertTrue(GvproxyFlags.define().flags().keySet().containsAll(UnimplementedFlags.NAMES));
    }

    @Test
    void factoryReceivesTheValidatedOptions() {
        AtomicReference<GvproxyOptions> seen = new AtomicReference<>();
        Result r = run((o, l) -> {
            seen.set(o);
            return new RecordingHandler();
        }, GvproxyMainTest::closedStdin, "-listen-stdio", "accept", "-mtu", "9000", "-pcap", "/tmp/x.pcap");
        assertEquals(0, r.status(), r.err());
        assertEquals(9000, seen.get().mtu());
        assertEquals("/tmp/x.pcap", seen.get().pcapFile().orElseThrow().toString());
        assertTrue(r.err().contains("level=info msg=\"gvproxy exiting: stdin closed\""), r.err());
    }

    @Test
    void logFileIsTruncatedAndGetsDebugPreamble() throws IOException {
        Path logFile = dir.resolve("gvproxy.log");
        Files.writeString(logFile, "old content that must go\n");
        Result r = run("-listen-stdio", "accept", "-debug", "-log-file", logFile.toString());
        assertEquals(0, r.status());
        assertEquals("", r.err());
        List<String> lines = Files.readAllLines(logFile);
        assertFalse(lines.stream().anyMatch(l -> l.contains("old content")));
        assertTrue(lines.getFirst().matches("time=\"[^\"]+\" level=debug msg=\"gvproxy version: \\\\\".+\\\\\"\""),
                lines.getFirst());
        String all = String.join("\n", lines);
        assertTrue(all.contains("msg=\"command line: [\\\"gvproxy\\\" \\\"-listen-stdio\\\""), all);
        assertTrue(all.contains("msg=\"gvproxy exiting: stdin closed\""), all);
        assertTrue(lines.stream().allMatch(l -> l.startsWith("time=\"")), all);
    }

    @Test
    void logFileThatCannotBeOpened() {
        Path logFile = dir.resolve("missing/gvproxy.log");
        Result r = run("-log-file", logFile.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("unable to open log file " + logFile + ": "), r.err());
        assertEquals(1, r.err().lines().count());
    }

    @Test
    void addressInUseIsOneFatalLine() throws IOException {
        Path sock = dir.resolve("live.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(sock));
            Result r = run("-listen-qemu", "unix://" + sock);
            assertEquals(1, r.status());
            List<String> lines = new ArrayList<>(r.err().lines().toList());
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.getFirst().endsWith("level=fatal msg=\"listen unix " + sock
                    + ": bind: address already in use (another process is listening)\""), r.err());
        }
    }

    @Test
    void stdioLinkFailureIsOneErrorLine() {
        Result r = run((o, l) -> new RecordingHandler() {
            @Override
            public void stdio(java.nio.channels.ReadableByteChannel in, java.nio.channels.WritableByteChannel out)
                    throws IOException {
                throw new IOException("frame stream broken");
            }
        }, GvproxyMainTest::closedStdin, "-listen-stdio", "accept");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("level=error msg=\"stdio: frame stream broken\""), r.err());
        assertFalse(r.err().contains("\tat "), "no stack traces");
    }

    @Test
    void factoryFailureIsOneFatalLine() {
        Result r = run((o, l) -> {
            throw new IOException("Cannot allocate the frame pool");
        }, GvproxyMainTest::closedStdin, "-listen-stdio", "accept");
        assertEquals(1, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("level=fatal msg=\"cannot allocate the frame pool\""), r.err());
    }
}
