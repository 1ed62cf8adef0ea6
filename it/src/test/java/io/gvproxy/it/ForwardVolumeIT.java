package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Volume through host→guest port forwards into a real kernel: a network namespace joined to gvproxy by our
 * gvforwarder ({@link ForwarderGuest}), servers in it on the kernel's TCP. {@code it.forward.connections} (1,000)
 * connections are open through one forward at once, each echoed by the guest with the right bytes; and
 * {@code it.forward.megabytes} (1,024 MiB) go each way at once over one forwarded connection with the sender's
 * SHA-256 at both ends. Times and throughput are printed. Also the static {@code -ssh-port} forward, a unix socket
 * forward and a {@code :PORT} (all interfaces) forward into the same guest's port 22, and the API the guest
 * itself sees on gateway:80.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardVolumeIT {
    private static final int ECHO_PORT = 7001;
    private static final int BLASTER_PORT = 7002;
    private static final int ECHO_BYTES = 16 << 10;
    private static final Duration PARALLEL_LIMIT = Duration.ofMinutes(3);
    /** 1 GiB each way at a pessimistic 10 MB/s on a loaded 2-core machine. */
    private static final Duration TRANSFER_LIMIT = Duration.ofMinutes(4);
    private static final Pattern RESULT = Pattern.compile("RESULT received=(\\d+) sha256=([0-9a-f]{64})");

    private ShortTempDir sockets;
    private GvproxyProcess gvproxy;
    private ForwarderGuest guest;
    private Path api;
    private Path runDir;
    private int sshPort;

    @BeforeAll
    void startGuest() throws Exception {
        NetnsRig rig = NetnsRig.require("busybox", "curl");
        runDir = rig.runDir("forward-volume");
        sockets = ShortTempDir.create();
        api = sockets.resolve("api.sock");
        sshPort = FreePort.loopback();
        gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir, new Listener.UnixSocket(api),
                List.of("-listen", "unix://" + api, "-ssh-port", Integer.toString(sshPort)));
        guest = ForwarderGuest.start(rig, runDir, api);
        // The kernel queues frames for gvforwarder on tap0 (qlen 1000) and drops beyond it; with 1,000 handshakes and
        // echoes at once on a loaded 2-core machine gvforwarder falls behind and a third of them were dropped, so that
        // SYN-ACKs lost four times outlived the forward's 10 s dial timeout. A deeper queue, as a busy VM's NIC would
        // have, keeps that loss from deciding the test; the drop count is printed.
        ForwarderNamespace.Result qlen = guest.namespace().exec("ip", "link", "set", "dev", "tap0", "txqueuelen",
                "20000");
        assertTrue(qlen.ok(), "txqueuelen: " + qlen);
        guest.spawn("guest-port22-echo", "LISTENING", ForwarderGuest.testMain(ParallelEchoServer.class, "22"));
    }

    @AfterAll
    void stop() {
        try (ShortTempDir s = sockets; GvproxyProcess g = gvproxy; ForwarderGuest fg = guest) {
            // Closed in reverse order: the guest and its servers, gvproxy, then the socket directory.
        }
    }

    private String context() {
        return "\n--- gvproxy.log ---\n" + gvproxy.logText() + guest.logs();
    }

    private int expose(int guestPort) {
        int hostPort = FreePort.loopback();
        ApiCurl.Response r = ApiCurl.post(api, "/services/forwarder/expose", "{\"local\":\"127.0.0.1:" + hostPort
                + "\",\"remote\":\"" + Rig.GUEST_IP + ":" + guestPort + "\"}");
        assertEquals(200, r.status(), "expose: " + r);
        return hostPort;
    }

    @Test
    void aThousandConnectionsOpenAtOnceThroughOneForwardAllEchoTheirBytes() throws Exception {
        int connections = Integer.getInteger("it.forward.connections", 1000);
        guest.spawn("guest-echo", "LISTENING", ForwarderGuest.testMain(ParallelEchoServer.class,
                Integer.toString(ECHO_PORT)));
        int hostPort = expose(ECHO_PORT);
        // Every client waits here, its connection open and echoed, until all are: the guest holds them all at once.
        CountDownLatch allEchoed = new CountDownLatch(connections);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                int id = i;
                done.add(clients.submit(() -> echoClient(hostPort, id, allEchoed, failures)));
            }
            for (Future<?> f : done) {
                f.get(PARALLEL_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(failures.isEmpty(), failures.size() + " of " + connections + " connections failed, first: "
                + failures.stream().limit(5).toList() + context());
        String expected = "open=0 peak=" + connections + " served=" + connections + " failed=0";
        guest.awaitLine("guest-echo", expected, Duration.ofSeconds(30), null, this::context);
        System.out.printf("forward: %d connections open at once through one forward, %d KiB echoed on each, "
                + "all correct, in %.2f s; tap0 drops so far: %d%n", connections,
                ECHO_BYTES >> 10, seconds, guest.tapTxDropped());
    }

    /** One connection: its own bytes out and back, then (with every other connection open) a half-close. */
    private static void echoClient(int port, int id, CountDownLatch allEchoed, ConcurrentLinkedQueue<String> failures) {
        boolean counted = false;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 60_000);
            s.setSoTimeout((int) PARALLEL_LIMIT.toMillis());
            byte[] sent = new byte[ECHO_BYTES];
            new Random(0x5EED_0000L + id).nextBytes(sent);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(sent);
            out.flush();
            byte[] back = in.readNBytes(sent.length);
            counted = true;
            allEchoed.countDown();
            if (!Arrays.equals(sent, back)) {
                failures.add("connection " + id + ": " + back.length + " bytes came back, not the " + sent.length
                        + " sent");
                return;
            }
            if (!allEchoed.await(PARALLEL_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                failures.add("connection " + id + ": the others were not all echoed within " + PARALLEL_LIMIT);
                return;
            }
            s.shutdownOutput();
            if (in.read() != -1) {
                failures.add("connection " + id + ": bytes after the echo");
            }
        } catch (IOException | InterruptedException e) {
            failures.add("connection " + id + ": " + e);
        } finally {
            if (!counted) {
                // A failed client must not hold the others at the latch until the limit.
                allEchoed.countDown();
            }
        }
    }

    /**
     * The static forward {@code -ssh-port} makes at start (127.0.0.1:PORT → guest:22) and a unix socket forward
     * (protocol unix, remote tcp://guest:22) exposed over the API where a stale file lay, both into a kernel server on
     * the guest's port 22; unexposing the unix forward removes its socket file.
     */
    @Test
    void theSshPortForwardAndAUnixSocketForwardReachTheGuestsPort22() throws Exception {
        String sshForward = "{\"local\":\"127.0.0.1:" + sshPort + "\",\"remote\":\"" + Rig.GUEST_IP
                + ":22\",\"protocol\":\"tcp\"}";
        assertTrue(ApiCurl.get(api, "/services/forwarder/all").body().contains(sshForward), "the -ssh-port forward");
        byte[] data = "through -ssh-port".getBytes(StandardCharsets.US_ASCII);
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", sshPort))) {
            assertArrayEquals(data, echo(c, data), "echo through the -ssh-port forward" + context());
        }

        Path unixLocal = sockets.resolve("fwd.sock");
        Files.writeString(unixLocal, "a stale file the expose replaces");
        ApiCurl.Response r = ApiCurl.post(api, "/services/forwarder/expose", "{\"local\":\"" + unixLocal
                + "\",\"remote\":\"tcp://" + Rig.GUEST_IP + ":22\",\"protocol\":\"unix\"}");
        assertEquals(200, r.status(), "unix expose: " + r);
        data = "through a unix socket forward".getBytes(StandardCharsets.US_ASCII);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(unixLocal))) {
            assertArrayEquals(data, echo(c, data), "echo through the unix forward" + context());
        }
        assertEquals(200, ApiCurl.post(api, "/services/forwarder/unexpose", "{\"local\":\"" + unixLocal
                + "\",\"protocol\":\"unix\"}").status());
        assertTrue(!Files.exists(unixLocal, LinkOption.NOFOLLOW_LINKS), "unexpose removes the socket file");
    }

    /** As upstream, a host-API {@code local} of {@code :PORT} listens on the wildcard address (IPv4 and IPv6). */
    @Test
    void aColonPortForwardListensOnAllInterfaces() throws Exception {
        int port = FreePort.loopback();
        ApiCurl.Response r = ApiCurl.post(api, "/services/forwarder/expose", "{\"local\":\":" + port
                + "\",\"remote\":\"" + Rig.GUEST_IP + ":22\"}");
        assertEquals(200, r.status(), "expose :" + port + ": " + r);
        try {
            String hex = String.format(Locale.ROOT, ":%04X", port);
            List<String> listening = new ArrayList<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                if (Files.exists(Path.of(table))) {
                    Files.readAllLines(Path.of(table)).stream().map(l -> l.strip().split("\\s+"))
                            .filter(f -> f.length > 3 && f[1].endsWith(hex) && f[3].equals("0A"))
                            .forEach(f -> listening.add(f[1]));
                }
            }
            assertTrue(listening.stream().anyMatch(a -> a.matches("0+" + hex)),
                    "a wildcard listener on port " + port + ": " + listening);
            byte[] data = "through a :port forward".getBytes(StandardCharsets.US_ASCII);
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                assertArrayEquals(data, echo(c, data), "echo through the :port forward" + context());
            }
        } finally {
            assertEquals(200, ApiCurl.post(api, "/services/forwarder/unexpose", "{\"local\":\":" + port + "\"}")
                    .status());
        }
    }

    /**
     * The API inside the VM on gateway:80, asked by the guest's kernel with curl: only the forwarder is there
     * (/connect, /stats and /tunnel are 404), an expose with an empty remote host gets the guest's address and
     * carries host bytes to the guest's port 22, and an all-interfaces or unix expose is refused with 403.
     */
    @Test
    void theGuestsApiOnGateway80ServesOnlyTheForwarder() throws Exception {
        String gw = "http://" + Rig.GATEWAY_IP;
        for (String path : List.of("/connect", "/stats", "/tunnel?ip=" + Rig.GUEST_IP + "&port=22")) {
            assertEquals("404", fromGuest("-X", "POST", "-o", "/dev/null", "-w", "%{http_code}", gw + path),
                    path + " from the guest" + context());
        }
        int port = FreePort.loopback();
        String exposed = "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\":22\"}";
        assertEquals("200", fromGuest("-o", "/dev/null", "-w", "%{http_code}", "-d", exposed,
                gw + "/services/forwarder/expose"), "expose from the guest" + context());
        String listed = fromGuest(gw + "/services/forwarder/all");
        assertTrue(listed.contains("{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"" + Rig.GUEST_IP
                + ":22\",\"protocol\":\"tcp\"}"), "the empty remote host is the guest's address: " + listed);
        byte[] data = "exposed by the guest".getBytes(StandardCharsets.US_ASCII);
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            assertArrayEquals(data, echo(c, data), "echo through the guest's forward" + context());
        }
        assertEquals("200", fromGuest("-o", "/dev/null", "-w", "%{http_code}", "-d",
                "{\"local\":\"127.0.0.1:" + port + "\"}", gw + "/services/forwarder/unexpose"));
        for (String refused : List.of("{\"local\":\":" + port + "\",\"remote\":\":22\"}",
                "{\"local\":\"/tmp/gvproxy-guest.sock\",\"remote\":\"tcp://" + Rig.GUEST_IP
                        + ":22\",\"protocol\":\"unix\"}")) {
            assertEquals("403", fromGuest("-o", "/dev/null", "-w", "%{http_code}", "-d", refused,
                    gw + "/services/forwarder/expose"), refused);
        }
        assertTrue(!Files.exists(Path.of("/tmp/gvproxy-guest.sock")), "the guest made no host file");
    }

    /** curl run by the guest's kernel (in the namespace): its stdout. */
    private String fromGuest(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
        command.addAll(List.of(args));
        ForwarderNamespace.Result r = guest.namespace().exec(command.toArray(String[]::new));
        assertTrue(r.ok(), String.join(" ", command) + ": " + r + context());
        return r.output();
    }

    /** Writes {@code data}, half-closes and reads to end of stream. */
    private static byte[] echo(SocketChannel c, byte[] data) throws IOException {
        OutputStream out = Channels.newOutputStream(c);
        out.write(data);
        c.shutdownOutput();
        return Channels.newInputStream(c).readAllBytes();
    }

    @Test
    void aGigabyteEachWayThroughAForwardArrivesWithTheSendersSha256() throws Exception {
        long bytes = SeededChunks.checkedLength(Long.getLong("it.forward.megabytes", 1024) << 20);
        long hostSeed = 4242;
        long guestSeed = 2424;
        Process blaster = guest.spawn("guest-blaster", "LISTENING", ForwarderGuest.testMain(TcpBlaster.class,
                "listen", Integer.toString(BLASTER_PORT), Long.toString(bytes), Long.toString(guestSeed)));
        int hostPort = expose(BLASTER_PORT);
        long t0 = System.nanoTime();
        long received;
        String sha;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", hostPort), 30_000);
            s.setSoTimeout((int) TRANSFER_LIMIT.toMillis());
            Thread sender = Thread.ofPlatform().name("host-sender").start(() -> send(s, bytes, hostSeed));
            MessageDigest md = SeededChunks.sha256();
            byte[] buf = new byte[SeededChunks.CHUNK];
            InputStream in = s.getInputStream();
            long n = 0;
            int r;
            while ((r = in.read(buf)) >= 0) {
                md.update(buf, 0, r);
                n += r;
            }
            sender.join(TRANSFER_LIMIT.toMillis());
            assertTrue(!sender.isAlive(), "the host's sender did not finish" + context());
            received = n;
            sha = HexFormat.of().formatHex(md.digest());
        }
        assertTrue(blaster.waitFor(60, TimeUnit.SECONDS), "the guest's end did not finish" + context());
        double seconds = (System.nanoTime() - t0) / 1e9;
        Matcher m = RESULT.matcher(guest.log("guest-blaster"));
        assertTrue(m.find(), "the guest's end printed no result" + context());
        assertEquals(bytes, Long.parseLong(m.group(1)), "bytes the guest received");
        assertEquals(SeededChunks.sha256(hostSeed, bytes), m.group(2), "sha256 in the guest");
        assertEquals(bytes, received, "bytes the host received");
        assertEquals(SeededChunks.sha256(guestSeed, bytes), sha, "sha256 on the host");
        double mb = bytes / 1e6;
        System.out.printf("forward: %d MiB each way at once through one forward in %.2f s: %.1f MB/s per direction,"
                + " %.1f MB/s total, sha256 equal at both ends; tap0 drops so far: %d%n", bytes >> 20, seconds,
                mb / seconds, 2 * mb / seconds, guest.tapTxDropped());
    }

    private static void send(Socket s, long bytes, long seed) {
        try {
            SeededChunks.write(s.getOutputStream(), seed, bytes);
            s.shutdownOutput();
        } catch (IOException e) {
            // The reader then sees the connection end early and the byte counts differ: the assertion reports it.
            System.out.println("host sender failed: " + e);
        }
    }
}
