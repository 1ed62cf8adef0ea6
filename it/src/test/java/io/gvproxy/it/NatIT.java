package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A namespace guest reaches an HTTP server on the host's 127.0.0.1 through the NAT of 192.168.127.254, with
 * gvproxy allowed to dial 127.0.0.0/8 only: a 50 MB download with equal sha256, a closed port refused within
 * 1 s, a denied destination refused at once, many concurrent and many short connections without an error, a UDP
 * echo, and a closed UDP port seen by the guest as "connection refused" (ICMP port unreachable).
 * Counts: {@code -Dnat.it.concurrent} (default 300) and {@code -Dnat.it.short} (default 1000); the issue's
 * figures are 2000 and 10000.
 */
class NatIT {
    private static final int BIG = 50 << 20;
    private static final int CONCURRENT = Integer.getInteger("nat.it.concurrent", 300);
    private static final int SHORT = Integer.getInteger("nat.it.short", 1000);
    private static final String HOST = "192.168.127.254";

    private static final int CURL_PARALLEL_MAX = 300;
    private static final Pattern CODE_200 = Pattern.compile("code=200\\b");

    private static HttpServer http;
    private static ExecutorService executor;
    private static String bigSha256;

    @BeforeAll
    static void startServer() throws Exception {
        byte[] block = new byte[1 << 20];
        new Random(50).nextBytes(block);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < BIG / block.length; i++) {
            md.update(block);
        }
        bigSha256 = HexFormat.of().formatHex(md.digest());
        executor = Executors.newVirtualThreadPerTaskExecutor();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        http.setExecutor(executor);
        http.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, BIG);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < BIG / block.length; i++) {
                    out.write(block);
                }
            }
        });
        http.createContext("/small", ex -> {
            byte[] ok = "ok\n".getBytes(StandardCharsets.US_ASCII);
            if (ex.getRequestURI().getPath().endsWith("/hold")) {
                try {
                    Thread.sleep(500); // keeps the parallel connections open at the same time
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.sendResponseHeaders(200, ok.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(ok);
            }
        });
        http.start();
    }

    @AfterAll
    static void stopServer() {
        if (http != null) {
            http.stop(0);
            executor.shutdownNow();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void guestReachesHostLoopbackThroughTheNat() throws Exception {
        NetnsRig rig = NetnsRig.require("curl", "sha256sum");
        Path runDir = rig.runDir("nat");
        int port = http.getAddress().getPort();
        try (ShortTempDir sockets = ShortTempDir.create()) {
            NetnsUplink uplink = NetnsUplink.vpnkit(sockets.resolve("vpnkit.sock"));
            List<String> flags = new ArrayList<>(uplink.gvproxyFlags());
            flags.addAll(List.of("-ssh-port", "-1", "-egress-allow", "127.0.0.0/8"));
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir,
                    new Listener.UnixSocket(uplink.socket()), flags);
                 NetnsGuest guest = NetnsGuest.start(runDir, "guest", uplink, Rig.GUEST_IP + "/24")) {
                String base = "http://" + HOST + ":" + port;

                long start = System.nanoTime();
                NetnsGuest.Result big = guest.exec(Duration.ofSeconds(120), "sh", "-c",
                        "curl -sS --max-time 100 " + base + "/big | sha256sum");
                double seconds = (System.nanoTime() - start) / 1e9;
                assertTrue(big.ok() && big.output().startsWith(bigSha256), "50 MB download: " + big + logs(gvproxy));
                System.out.printf("NAT download: 50 MB in %.2f s (%.0f Mbit/s)%n", seconds, BIG * 8 / seconds / 1e6);

                // curl names the errno only with -v ("connect to ... failed: Connection refused")
                NetnsGuest.Result refused = guest.exec("curl", "-sSv", "-o", "/dev/null", "-w", "%{time_total}",
                        "--max-time", "5", "http://" + HOST + ":" + closedPort() + "/");
                assertTrue(refused.output().contains("Connection refused"), "closed port: " + refused);
                assertTrue(seconds(refused.output()) < 1.0, "refused within 1 s: " + refused);

                NetnsGuest.Result denied = guest.exec("curl", "-sSv", "-o", "/dev/null", "-w", "%{time_total}",
                        "--max-time", "5", "http://10.200.0.1:80/");
                assertTrue(denied.output().contains("Connection refused"), "denied destination: " + denied);
                assertTrue(seconds(denied.output()) < 1.0, "denied at once: " + denied);

                start = System.nanoTime();
                NetnsGuest.Result parallel = guest.exec(Duration.ofSeconds(120), "sh", "-c",
                        parallelCurls(base + "/small/hold", CONCURRENT));
                assertEquals(CONCURRENT, count200(parallel.output()), "concurrent: " + tail(parallel) + logs(gvproxy));
                System.out.printf("NAT: %d concurrent connections in %.2f s%n", CONCURRENT,
                        (System.nanoTime() - start) / 1e9);

                start = System.nanoTime();
                NetnsGuest.Result shorts = guest.exec(Duration.ofSeconds(300), "curl", "-sS", "-H",
                        "Connection: close", "-o", "/dev/null", "-w", "code=%{http_code}\\n",
                        base + "/small/x?[1-" + SHORT + "]");
                assertEquals(SHORT, count200(shorts.output()), "short connections: " + tail(shorts) + logs(gvproxy));
                System.out.printf("NAT: %d short connections in %.2f s%n", SHORT, (System.nanoTime() - start) / 1e9);

                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                    Thread.ofVirtual().start(() -> echoUdp(udp));
                    NetnsGuest.Result echo = guest.exec("bash", "-c", "exec 3<>/dev/udp/" + HOST + "/"
                            + udp.getLocalPort() + "; printf udp-ping >&3; timeout 5 dd bs=64 count=1 <&3 2>&1");
                    assertTrue(echo.output().contains("udp-ping"), "UDP echo: " + echo + logs(gvproxy));
                }
                // the host's ICMP port unreachable comes back to the guest's connected socket as ECONNREFUSED
                NetnsGuest.Result udpRefused = guest.exec("bash", "-c", "exec 3<>/dev/udp/" + HOST + "/"
                        + closedUdpPort() + "; printf x >&3; timeout 5 dd bs=64 count=1 <&3 2>&1");
                assertTrue(udpRefused.output().contains("Connection refused"), "UDP to a closed port: " + udpRefused);

                assertTrue(guest.pumpAlive(), "the tap pump ended early");
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + "\n" + gvproxy.logText());
                String log = gvproxy.logText();
                assertTrue(log.contains(" nat.tcp.denied=1 ") && log.contains(" nat.tcp.refused=1 ")
                        && log.contains(" nat.udp.port_unreachable="), "the NAT's counters at exit:" + logs(gvproxy));
            }
        }
    }

    private static int closedUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private static void echoUdp(DatagramSocket s) {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!s.isClosed()) {
            try {
                p.setLength(buf.length);
                s.receive(p);
                s.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static long count200(String output) {
        return CODE_200.matcher(output).results().count();
    }

    /**
     * {@code n} requests to {@code url} all open at once: curl keeps at most 300 transfers of one process in
     * flight, so several processes run side by side.
     */
    private static String parallelCurls(String url, int n) {
        StringBuilder sh = new StringBuilder();
        for (int from = 1; from <= n; from += CURL_PARALLEL_MAX) {
            int to = Math.min(n, from + CURL_PARALLEL_MAX - 1);
            sh.append("curl -sS --no-progress-meter --parallel --parallel-immediate --parallel-max ")
                    .append(CURL_PARALLEL_MAX).append(" -H 'Connection: close' -o /dev/null -w 'code=%{http_code}\\n' '")
                    .append(url).append("?[").append(from).append('-').append(to).append("]' & ");
        }
        return sh.append("wait").toString();
    }

    /** curl's -w %{time_total}, the last number it printed. */
    static double seconds(String output) {
        String[] words = output.trim().split("\\s+");
        for (int i = words.length - 1; i >= 0; i--) {
            if (words[i].matches("\\d+\\.\\d+")) {
                return Double.parseDouble(words[i]);
            }
        }
        return Double.MAX_VALUE;
    }

    /** What curl printed other than the 200 lines. */
    private static String tail(NetnsGuest.Result r) {
        String other = r.output().lines().filter(l -> !l.equals("code=200")).limit(40)
                .reduce("", (a, b) -> a + "\n" + b);
        return "exit " + r.exitCode() + (r.timedOut() ? " (timed out)" : "") + ", besides 200:" + other;
    }

    private static String logs(GvproxyProcess gvproxy) {
        return "\n--- " + gvproxy.log() + " ---\n" + gvproxy.logText();
    }
}
