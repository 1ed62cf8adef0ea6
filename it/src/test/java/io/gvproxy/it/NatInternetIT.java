package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 4's NAT checks with a network-namespace guest behind gvproxy, against servers on the host's 127.0.0.1
 * (through 192.168.127.254) and in an {@link InternetNamespace} (10.200.0.2), with gvproxy allowed to dial only
 * 127.0.0.0/8 and 10.200.0.0/24 minus a denied 10.200.0.128/25. The same transfers also run over the kernel's
 * veth pair (the internet namespace as the client, the host's 10.200.0.1 as the server, no gvproxy), and the
 * figures of both are printed together at the end.
 *
 * UDP at 200 Mbit/s runs over both paths too; its loss through gvproxy is reported, not bounded (it depends on
 * the load of the machine), beyond that something must arrive.
 *
 * <p>Sizes: {@code -Dnat.it.bytes} (default 50 MiB), {@code -Dnat.it.concurrent} (2000), {@code -Dnat.it.short}
 * (10000), {@code -Dnat.it.iperf.seconds} (5).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatInternetIT {
    private static final long BYTES = Long.getLong("nat.it.bytes", 50L << 20);
    private static final int CONCURRENT = Integer.getInteger("nat.it.concurrent", 2000);
    private static final int SHORT = Integer.getInteger("nat.it.short", 10_000);
    private static final int IPERF_SECONDS = Integer.getInteger("nat.it.iperf.seconds", 5);
    private static final String HOST = "192.168.127.254";
    private static final String DENIED_RANGE = "10.200.0.128/25";
    private static final int INTERNET_HTTP_PORT = 8080;
    private static final Pattern RESULT = Pattern.compile("^RESULT (.*)$", Pattern.MULTILINE);

    private final NatFigures figures = new NatFigures("NAT figures: netns guest through gvproxy vs kernel veth");
    private final List<AutoCloseable> resources = new ArrayList<>();
    private InternetNamespace internet;
    private BlobHttpServer hostHttp;
    private ReplyServer hostReply;
    private ReplyServer vethReply;
    private Iperf3 hostIperf;
    private Iperf3 vethIperf;
    private GvproxyProcess gvproxy;
    private NetnsGuest guest;

    @BeforeAll
    void start() throws Exception {
        NetnsRig rig = NetnsRig.require("curl", "sha256sum", "iperf3");
        Path runDir = rig.runDir("nat-internet");
        try {
            internet = keep(InternetNamespace.create(runDir));
            internet.spawnAndAwait("http", BlobHttpServer.READY, javaCommand(BlobHttpServer.class,
                    InternetNamespace.ADDRESS, Integer.toString(INTERNET_HTTP_PORT)));
            InetAddress loopback = InetAddress.getLoopbackAddress();
            hostHttp = keep(BlobHttpServer.start(new InetSocketAddress(loopback, 0)));
            hostReply = keep(ReplyServer.start(loopback));
            vethReply = keep(ReplyServer.start(InetAddress.getByName(InternetNamespace.HOST_IP)));
            hostIperf = keep(Iperf3.start(runDir, "loopback", "127.0.0.1"));
            vethIperf = keep(Iperf3.start(runDir, "veth", InternetNamespace.HOST_IP));
            ShortTempDir sockets = keep(ShortTempDir.create());
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            List<String> flags = new ArrayList<>(uplink.gvproxyFlags());
            flags.addAll(List.of("-ssh-port", "-1", "-egress-allow", "127.0.0.0/8",
                    "-egress-allow", InternetNamespace.SUBNET, "-egress-deny", DENIED_RANGE));
            gvproxy = keep(GvproxyProcess.start(rig.gvproxyJar(), runDir, new Listener.UnixSocket(uplink.socket()),
                    flags));
            guest = keep(NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24"));
        } catch (Exception | Error e) {
            IllegalStateException cleanup = closeAll();
            if (cleanup != null) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @AfterAll
    void stop() {
        if (!figures.isEmpty()) {
            System.out.println(figures.block());
        }
        IllegalStateException cleanup = closeAll();
        if (cleanup != null) {
            throw cleanup;
        }
    }

    /** Closes everything in reverse order; what failed to close, or null. */
    private IllegalStateException closeAll() {
        IllegalStateException failure = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("cleanup failed");
                }
                failure.addSuppressed(e);
            }
        }
        resources.clear();
        return failure;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    @Test
    @Order(1)
    void downloadsFromHostLoopbackAndTheInternetHaveTheServedSha256() {
        String want = BlobHttpServer.sha256(BYTES);
        download("download via .254 (host 127.0.0.1)",
                "http://" + HOST + ":" + hostHttp.port() + "/blob/" + BYTES, want);
        download("download from 10.200.0.2",
                "http://" + InternetNamespace.ADDRESS + ":" + INTERNET_HTTP_PORT + "/blob/" + BYTES, want);
    }

    private void download(String label, String url, String sha256) {
        long start = System.nanoTime();
        NetnsGuest.Result r = guest.exec(Duration.ofSeconds(180), "sh", "-c",
                "curl -sS --max-time 170 " + url + " | sha256sum");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(r.ok() && r.output().startsWith(sha256), label + ": " + r + logs());
        figures.add(label, String.format("%d MiB in %.2f s (%.0f Mbit/s), sha256 equal", BYTES >> 20, seconds,
                BYTES * 8 / seconds / 1e6));
    }

    @Test
    @Order(2)
    void iperf3TcpBothWaysThroughGvproxyAndOverTheKernelVeth() {
        double natUp = Iperf3.receivedGbits(iperf(false, hostIperf.client(HOST, IPERF_SECONDS)));
        double natDown = Iperf3.receivedGbits(iperf(false, hostIperf.client(HOST, IPERF_SECONDS, "-R")));
        double vethUp = Iperf3.receivedGbits(iperf(true, vethIperf.client(InternetNamespace.HOST_IP, IPERF_SECONDS)));
        double vethDown = Iperf3.receivedGbits(iperf(true,
                vethIperf.client(InternetNamespace.HOST_IP, IPERF_SECONDS, "-R")));
        figures.compare("iperf3 TCP guest->host", natUp, vethUp, "Gbit/s");
        figures.compare("iperf3 TCP host->guest (-R)", natDown, vethDown, "Gbit/s");
        assertTrue(natUp > 0 && natDown > 0, "gvproxy figures " + natUp + ", " + natDown);
    }

    @Test
    @Order(3)
    void iperf3UdpAt200MbitReportsItsLoss() {
        String json = iperf(false, hostIperf.client(HOST, IPERF_SECONDS, "-u", "-b", "200M"));
        String veth = iperf(true, vethIperf.client(InternetNamespace.HOST_IP, IPERF_SECONDS, "-u", "-b", "200M"));
        double loss = Iperf3.udpLossPercent(json);
        figures.add("iperf3 UDP 200 Mbit/s guest->host", String.format(
                "gvproxy loss %.2f %% (%.0f Mbit/s received) | kernel veth loss %.2f %% (%.0f Mbit/s received)",
                loss, Iperf3.udpReceivedMbits(json), Iperf3.udpLossPercent(veth), Iperf3.udpReceivedMbits(veth)));
        assertTrue(loss < 100, "every datagram lost:\n" + json);
    }

    /** iperf3's JSON report of a client run in the guest (or, for {@code veth}, in the internet namespace). */
    private String iperf(boolean veth, List<String> client) {
        Duration limit = Duration.ofSeconds(IPERF_SECONDS + 60L);
        String[] command = client.toArray(String[]::new);
        String output;
        boolean ok;
        if (veth) {
            ForwarderNamespace.Result r = internet.exec(limit, command);
            output = r.output();
            ok = r.ok();
        } else {
            NetnsGuest.Result r = guest.exec(limit, command);
            output = r.output();
            ok = r.ok();
        }
        assertTrue(ok, String.join(" ", client) + (veth ? " over veth" : " through gvproxy") + ":\n" + output
                + (veth ? "" : logs()));
        return output;
    }

    @Test
    @Order(4)
    void closedPortIsRefusedWithinOneSecond() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        double seconds = refusedWithin("http://" + HOST + ":" + port + "/", "closed port");
        figures.add("closed port refused after", String.format("%.0f ms", seconds * 1000));
    }

    @Test
    @Order(5)
    void deniedDestinationsAreRefusedAtOnce() {
        refusedWithin("http://10.201.0.1:80/", "destination outside every -egress-allow");
        refusedWithin("http://10.200.0.200:" + INTERNET_HTTP_PORT + "/", "destination in -egress-deny " + DENIED_RANGE);
    }

    /** curl in the guest gets "Connection refused" within 1 s; returns curl's time. */
    private double refusedWithin(String url, String what) {
        // curl names the errno only with -v ("connect to ... failed: Connection refused")
        NetnsGuest.Result r = guest.exec("curl", "-sSv", "-o", "/dev/null", "-w", "%{time_total}",
                "--max-time", "5", url);
        assertTrue(r.output().contains("Connection refused"), what + ": " + r);
        double seconds = NatIT.seconds(r.output());
        assertTrue(seconds < 1.0, what + " refused within 1 s: " + r);
        return seconds;
    }

    @Test
    @Order(6)
    void concurrentConnectionsAreHeldOpenAndAllComplete() {
        String result;
        hostReply.holdRepliesUntilOpen(CONCURRENT);
        try {
            result = load(false, "concurrent", Integer.toString(CONCURRENT), "240");
        } finally {
            hostReply.holdRepliesUntilOpen(0);
        }
        assertTrue(result.contains("ok=" + CONCURRENT + " "), "concurrent: " + result);
        assertTrue(hostReply.peakOpen() >= CONCURRENT, "the host server saw at most " + hostReply.peakOpen()
                + " connections open at once");
        figures.add(CONCURRENT + " concurrent connections", "all complete, " + hostReply.peakOpen()
                + " open at once on the host, " + field(result, "seconds") + " s");
    }

    @Test
    @Order(7)
    void shortConnectionsWithoutErrorsAndTheirRateNextToTheKernel() {
        String nat = load(false, "short", Integer.toString(SHORT), "600");
        assertTrue(nat.contains("ok=" + SHORT + " ") && nat.contains("errors=0 "), "short: " + nat);
        String veth = load(true, "short", Integer.toString(SHORT), "600");
        assertTrue(veth.contains("ok=" + SHORT + " "), "short over veth: " + veth);
        figures.compare(SHORT + " short connections, per second", Double.parseDouble(field(nat, "per_second")),
                Double.parseDouble(field(veth, "per_second")), "conn/s");
    }

    @Test
    @Order(8)
    void guestHalfCloseReachesTheHostAndTheReplyStillArrives() {
        String size = Long.toString(1 << 20);
        String result = load(false, "halfclose", size, size, "60");
        assertTrue(result.contains("ok=1 "), "half-close: " + result);
        figures.add("half-close (1 MiB each way)", "guest FIN reached the host; reply delivered after it");
    }

    @Test
    @Order(9)
    void gvproxyStopsCleanlyAndCountedTheDenials() {
        assertTrue(guest.pumpAlive(), "the tap pump ended early");
        assertEquals(0, hostReply.failed(), "host reply server errors");
        GvproxyProcess.Exit exit = gvproxy.stop();
        assertTrue(exit.clean(), "gvproxy stop: " + exit + logs());
        String log = gvproxy.logText();
        Matcher denied = Pattern.compile(" nat\\.tcp\\.denied=(\\d+)").matcher(log);
        assertTrue(denied.find() && Integer.parseInt(denied.group(1)) == 2, "nat.tcp.denied at exit:" + logs());
        assertTrue(log.contains(" nat.tcp.refused="), "nat.tcp.refused at exit:" + logs());
        figures.add("gvproxy counters at exit", log.lines().filter(l -> l.contains("nat counters:"))
                .map(l -> l.substring(l.indexOf("nat counters:") + 13).replace("\"", "").strip()).findFirst().orElse("(none)"));
    }

    /** Runs {@link ConnectionLoad} in the guest (or the internet namespace) against the reply server; its RESULT. */
    private String load(boolean veth, String mode, String... args) {
        ReplyServer server = veth ? vethReply : hostReply;
        List<String> command = new ArrayList<>(List.of(javaCommand(ConnectionLoad.class, mode,
                veth ? InternetNamespace.HOST_IP : HOST, Integer.toString(server.port()))));
        command.addAll(List.of(args));
        Duration limit = Duration.ofSeconds(Long.parseLong(args[args.length - 1]) + 60);
        String output;
        if (veth) {
            output = internet.exec(limit, command.toArray(String[]::new)).output();
        } else {
            output = guest.exec(limit, command.toArray(String[]::new)).output();
        }
        Matcher m = RESULT.matcher(output);
        assertTrue(m.find(), mode + (veth ? " over veth" : " through gvproxy") + " printed no RESULT:\n" + output
                + (veth ? "" : logs()));
        assertTrue(output.lines().noneMatch(l -> l.startsWith("ERROR")), mode + ": " + output + (veth ? "" : logs()));
        return m.group(1) + " ";
    }

    private static String[] javaCommand(Class<?> main, String... args) {
        List<String> c = new ArrayList<>(List.of(GvproxyProcess.testJava(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        c.addAll(List.of(args));
        return c.toArray(String[]::new);
    }

    private static String field(String result, String key) {
        Matcher m = Pattern.compile("\\b" + key + "=(\\S+)").matcher(result);
        if (!m.find()) {
            throw new AssertionError("no " + key + " in " + result);
        }
        return m.group(1);
    }

    private String logs() {
        return "\n--- " + gvproxy.log() + " ---\n" + gvproxy.logText();
    }
}
