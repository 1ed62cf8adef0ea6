package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Our gvforwarder in a network-namespace guest against our gvproxy's {@code -listen unix://} API socket: it creates
 * tap0, sets the default MAC, runs the DHCP client and pumps frames over {@code POST /connect}. The guest then leases
 * 192.168.127.2/24, pings the gateway, resolves host.containers.internal through gvproxy's DNS and uploads 100 MiB
 * through the NAT to a server on the host's 127.0.0.1 (dialled as 192.168.127.254; equal SHA-256 on arrival); after
 * gvproxy is replaced by a new one on the same socket, gvforwarder reconnects and the guest pings again.
 *
 * <p>The DHCP client is busybox udhcpc through a wrapper put first on gvforwarder's PATH: the wrapper records the
 * arguments gvforwarder passed and adds {@code -s} with a script that only configures the tap inside the namespace
 * (the distribution's udhcpc or dhclient scripts would write /etc files). Not covered here: vsock:// (no vsock
 * loopback on a plain host).
 */
class GvforwarderIT {
    private static final Duration LEASE_LIMIT = ForwarderGuest.LEASE_LIMIT;
    private static final String LEASED_CIDR = ForwarderGuest.LEASED_CIDR;
    private static final long UPLOAD_BYTES = 100L << 20;
    private static final long UPLOAD_SEED = 100;
    /** Bounds a slow upload on the shared machine; the figure it took is printed. */
    private static final Duration UPLOAD_LIMIT = Duration.ofMinutes(5);

    private static Path forwarderJar(Path gvproxyJar) {
        Path jar = gvproxyJar.resolveSibling("gvforwarder.jar");
        assertTrue(Files.isRegularFile(jar), "gvforwarder.jar not found at " + jar + " (./mvnw -B verify -pl it -am)");
        return jar;
    }

    @Test
    void guestLeasesPingsResolvesAndReconnectsToANewGvproxy() throws Exception {
        NetnsRig rig = NetnsRig.require("busybox", "ping");
        Path busybox = Rig.onPath("busybox").orElseThrow();
        Path runDir = rig.runDir("gvforwarder");
        Path bin = ForwarderGuest.dhcpWrapper(runDir, busybox);
        Path fwdJar = forwarderJar(rig.gvproxyJar());
        try (ShortTempDir sockets = ShortTempDir.create(); ForwarderNamespace ns = ForwarderNamespace.create()) {
            Path api = sockets.resolve("api.sock");
            List<String> gvproxyFlags = List.of("-listen", "unix://" + api, "-ssh-port", "-1");
            Listener ready = new Listener.UnixSocket(api);
            GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir, ready, gvproxyFlags);
            Process forwarder = null;
            try {
                List<String> command = ns.inside("env", "PATH=" + bin + ":" + System.getenv().getOrDefault("PATH", ""),
                        GvproxyProcess.testJava(), "-jar", fwdJar.toString(), "-url", "unix://" + api,
                        "-iface", "tap0", "-stop-if-exist", "none", "-mtu", "1500");
                Path log = runDir.resolve("gvforwarder.log");
                Files.writeString(log, "# " + String.join(" ", command) + "\n");
                forwarder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
                Supplier<String> context = () -> "\n--- gvforwarder.log ---\n" + ForwarderNamespace.read(log)
                        + "\n--- udhcpc.leases ---\n" + ForwarderNamespace.read(runDir.resolve("udhcpc.leases"))
                        + "\n--- gvproxy.log ---\n" + ForwarderNamespace.read(runDir.resolve("gvproxy.log"));

                ForwarderGuest.awaitLease(ns, forwarder, context);
                assertEquals("-f -q -i tap0 -v", ForwarderNamespace.read(runDir.resolve("udhcpc.args")).strip(),
                        "udhcpc arguments" + context.get());
                String link = ns.exec("ip", "link", "show", "dev", "tap0").output();
                assertTrue(link.contains("link/ether " + Rig.GUEST_MAC), "tap0 MAC: " + link + context.get());
                assertPingsGateway(ns, context);
                ForwarderNamespace.Result dns = ns.exec(busybox.toString(), "nslookup", "host.containers.internal",
                        Rig.GATEWAY_IP);
                assertTrue(dns.ok() && dns.output().contains("Address: 192.168.127.254"),
                        "nslookup host.containers.internal: " + dns + context.get());
                assertUploadsThroughNat(ns, context);

                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + context.get());
                awaitNoLease(ns, context);
                gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir, ready, gvproxyFlags);
                ForwarderGuest.awaitLease(ns, forwarder, context);
                assertPingsGateway(ns, context);
                String fwdLog = ForwarderNamespace.read(log);
                assertTrue(count(fwdLog, "Sending post request to /connect") >= 2, "reconnected" + context.get());
                assertTrue(fwdLog.contains("level=error msg=\"cannot read size from socket: EOF"),
                        "the lost connection was logged" + context.get());
                assertTrue(forwarder.isAlive(), "gvforwarder still running" + context.get());
                System.out.println("gvforwarder: leased " + LEASED_CIDR + ", pinged, resolved, reconnected");
            } finally {
                if (forwarder != null) {
                    ForwarderNamespace.stop(forwarder);
                }
                gvproxy.close();
            }
        }
    }

    /**
     * {@code stdio:} spawns gvproxy itself (with {@code -listen-stdio=accept -ssh-port=-1} from the URL's query) and
     * speaks over its stdin/stdout without any POST; gvproxy's log goes to gvforwarder's stderr.
     */
    @Test
    void stdioUrlSpawnsGvproxyAndTheGuestLeasesPingsAndResolves() throws Exception {
        NetnsRig rig = NetnsRig.require("busybox", "ping");
        Path busybox = Rig.onPath("busybox").orElseThrow();
        Path runDir = rig.runDir("gvforwarder-stdio");
        Path bin = ForwarderGuest.dhcpWrapper(runDir, busybox);
        Path fwdJar = forwarderJar(rig.gvproxyJar());
        Path gvproxyExe = runDir.resolve("gvproxy");
        Files.writeString(gvproxyExe, "#!/bin/sh\nexec " + GvproxyProcess.testJava() + " -jar " + rig.gvproxyJar()
                + " \"$@\"\n");
        Files.setPosixFilePermissions(gvproxyExe, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ForwarderNamespace ns = ForwarderNamespace.create()) {
            Process forwarder = null;
            try {
                List<String> command = ns.inside("env", "PATH=" + bin + ":" + System.getenv().getOrDefault("PATH", ""),
                        GvproxyProcess.testJava(), "-jar", fwdJar.toString(),
                        "-url", "stdio:" + gvproxyExe + "?listen-stdio=accept&ssh-port=-1",
                        "-stop-if-exist", "none", "-mtu", "1500");
                Path log = runDir.resolve("gvforwarder.log");
                Files.writeString(log, "# " + String.join(" ", command) + "\n");
                forwarder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
                Supplier<String> context = () -> "\n--- gvforwarder.log (with gvproxy's) ---\n"
                        + ForwarderNamespace.read(log);
                ForwarderGuest.awaitLease(ns, forwarder, context);
                assertPingsGateway(ns, context);
                ForwarderNamespace.Result dns = ns.exec(busybox.toString(), "nslookup", "host.containers.internal",
                        Rig.GATEWAY_IP);
                assertTrue(dns.ok() && dns.output().contains("Address: 192.168.127.254"),
                        "nslookup host.containers.internal: " + dns + context.get());
                assertTrue(!ForwarderNamespace.read(log).contains("Sending post request"), "no POST" + context.get());
            } finally {
                if (forwarder != null) {
                    ForwarderNamespace.stop(forwarder);
                }
            }
        }
    }

    /** The guest's kernel TCP (TcpBlaster in the namespace) sends 100 MiB over tap0, gvforwarder and the NAT. */
    private static void assertUploadsThroughNat(ForwarderNamespace ns, Supplier<String> context) throws Exception {
        try (HostHashingSink sink = HostHashingSink.start(Duration.ofSeconds(60))) {
            long start = System.nanoTime();
            ForwarderNamespace.Result upload = ns.exec(UPLOAD_LIMIT, GvproxyProcess.testJava(), "-Xmx128m", "-cp",
                    System.getProperty("java.class.path"), TcpBlaster.class.getName(), "connect", "192.168.127.254",
                    Integer.toString(sink.port()), Long.toString(UPLOAD_BYTES), Long.toString(UPLOAD_SEED));
            assertTrue(upload.ok() && upload.output().contains("RESULT received=0 "), "upload: " + upload + context.get());
            HostHashingSink.Received got = sink.await(Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(UPLOAD_BYTES, got.bytes(), "bytes at the host" + context.get());
            assertEquals(SeededChunks.sha256(UPLOAD_SEED, UPLOAD_BYTES), got.sha256(), "sha256 at the host");
            System.out.printf("gvforwarder upload: 100 MiB in %.2f s (%.0f Mbit/s, JVM start included)%n", seconds,
                    UPLOAD_BYTES * 8 / seconds / 1e6);
        }
    }

    @Test
    void exitsZeroWhenAStopIfExistLinkIsPresent() throws Exception {
        NetnsRig rig = NetnsRig.require();
        Path fwdJar = forwarderJar(rig.gvproxyJar());
        try (ForwarderNamespace ns = ForwarderNamespace.create()) {
            ForwarderNamespace.Result r = ns.exec(GvproxyProcess.testJava(), "-jar", fwdJar.toString(),
                    "-stop-if-exist", "eth0,lo", "-url", "unix:///nonexistent/api.sock");
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.output().contains("interface lo prevented this program to run"), r.toString());
            assertTrue(!r.output().contains("Dialing"), r.toString());
        }
    }

    /** After gvproxy is gone gvforwarder closes the tap, so the namespace loses tap0 and its address. */
    private static void awaitNoLease(ForwarderNamespace ns, Supplier<String> context) throws InterruptedException {
        long deadline = System.nanoTime() + LEASE_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!ns.exec("ip", "-4", "addr", "show", "dev", "tap0").output().contains(LEASED_CIDR)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError("tap0 kept its address after gvproxy stopped" + context.get());
    }

    private static void assertPingsGateway(ForwarderNamespace ns, Supplier<String> context) {
        ForwarderNamespace.Result ping = ns.exec("ping", "-c", "5", "-i", "0.2", "-W", "2", Rig.GATEWAY_IP);
        assertTrue(ping.ok() && ping.output().contains(" 0% packet loss"), "ping: " + ping + context.get());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
