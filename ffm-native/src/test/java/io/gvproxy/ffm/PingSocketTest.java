package io.gvproxy.ffm;

import io.gvproxy.core.net.Ipv4;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ping sockets. The socket tests run {@link PingSocketScenarios} in a child JVM inside a network namespace made
 * and deleted here: {@code net.ipv4.ping_group_range} belongs to the namespace, so the host's value is never
 * changed (nothing to restore) and nothing is pinged outside the namespace. Skipped when not root or without ip.
 */
class PingSocketTest {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static long offset(StructLayout l, String field) {
        return new PingSocketAbi(Os.LINUX, l, l, l, 0, 0, 0).offset(l, field);
    }

    @Test
    void linuxLayouts() {
        PingSocketAbi a = PingSocketAbi.LINUX;
        assertEquals(16, a.sockaddrIn().byteSize());
        assertEquals(4, offset(a.sockaddrIn(), "sin_addr"));
        assertEquals(56, a.msghdr().byteSize());
        assertEquals(List.of(0L, 8L, 16L, 24L, 32L, 40L, 48L), List.of(offset(a.msghdr(), "msg_name"),
                offset(a.msghdr(), "msg_namelen"), offset(a.msghdr(), "msg_iov"), offset(a.msghdr(), "msg_iovlen"),
                offset(a.msghdr(), "msg_control"), offset(a.msghdr(), "msg_controllen"),
                offset(a.msghdr(), "msg_flags")));
        assertEquals(16, a.cmsghdr().byteSize());
        assertEquals(16, a.cmsgDataOffset(), "CMSG_DATA after a size_t length and two ints");
        assertEquals(List.of(0L, 8L, 12L), List.of(offset(a.cmsghdr(), "cmsg_len"), offset(a.cmsghdr(), "cmsg_level"),
                offset(a.cmsghdr(), "cmsg_type")));
        StructLayout ee = PingSocketAbi.SOCK_EXTENDED_ERR;
        assertEquals(16, ee.byteSize(), "the offender sockaddr follows at 16");
        assertEquals(List.of(0L, 4L, 5L, 6L, 8L, 12L), List.of(offset(ee, "ee_errno"), offset(ee, "ee_origin"),
                offset(ee, "ee_type"), offset(ee, "ee_code"), offset(ee, "ee_info"), offset(ee, "ee_data")));
        assertEquals(24, a.cmsgAlign(20));
        assertEquals(2, a.ipTtl());
    }

    @Test
    void macosLayouts() {
        PingSocketAbi a = PingSocketAbi.MACOS;
        assertEquals(16, a.sockaddrIn().byteSize());
        assertEquals(List.of(0L, 1L, 2L, 4L), List.of(offset(a.sockaddrIn(), "sin_len"),
                offset(a.sockaddrIn(), "sin_family"), offset(a.sockaddrIn(), "sin_port"),
                offset(a.sockaddrIn(), "sin_addr")));
        assertEquals(48, a.msghdr().byteSize());
        assertEquals(List.of(0L, 8L, 16L, 24L, 32L, 40L, 44L), List.of(offset(a.msghdr(), "msg_name"),
                offset(a.msghdr(), "msg_namelen"), offset(a.msghdr(), "msg_iov"), offset(a.msghdr(), "msg_iovlen"),
                offset(a.msghdr(), "msg_control"), offset(a.msghdr(), "msg_controllen"),
                offset(a.msghdr(), "msg_flags")));
        assertEquals(12, a.cmsghdr().byteSize());
        assertEquals(12, a.cmsgDataOffset());
        assertEquals(20, a.cmsgAlign(20));
        assertEquals(4, a.ipTtl());
        assertEquals(0, a.sockCloexecOrZero(), "FD_CLOEXEC by fcntl there");
    }

    @Test
    void sockaddrInRoundTripsOnBothSystems() {
        int ip = Ipv4.parse("10.203.0.7");
        try (Arena arena = Arena.ofConfined()) {
            for (PingSocketAbi a : List.of(PingSocketAbi.LINUX, PingSocketAbi.MACOS)) {
                MemorySegment s = arena.allocate(a.sockaddrIn());
                assertEquals(16, a.encodeSockaddrIn(s, ip));
                assertEquals(ip, a.decodeSockaddrIn(s, 16), a.os().toString());
                assertEquals(10, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4), "network byte order");
                assertEquals(0, a.decodeSockaddrIn(s, 4), "too short");
            }
            MemorySegment s = arena.allocate(16);
            s.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 10);
            assertEquals(0, PingSocketAbi.LINUX.decodeSockaddrIn(s, 16), "AF_INET6 is no IPv4 address");
        }
    }

    @Test
    void deniedMessageNamesTheSysctlAndTheGroup() {
        String m = PingSocket.deniedMessage(Os.LINUX, 13, 1000, "1 0");
        assertTrue(m.startsWith("ICMP echo forwarding is off: socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) failed"), m);
        assertTrue(m.contains("group 1000 is outside net.ipv4.ping_group_range (\"1 0\")"), m);
        assertTrue(m.contains("sysctl -w net.ipv4.ping_group_range=\"1000 1000\""), m);
        assertFalse(PingSocket.deniedMessage(Os.MACOS, 13, 0, "").contains("ping_group_range"));
    }

    private static String exec(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s");
            }
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    private static void inNamespace(String scenario) throws Exception {
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
        boolean root = ip && "0".equals(exec(List.of("id", "-u"), 10).trim());
        Assumptions.assumeTrue(root, "needs root and ip for a network namespace");
        String ns = "ffmping-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        exec(List.of("ip", "netns", "add", ns), 10);
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String out = exec(List.of("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), PingSocketScenarios.class.getName(), scenario), 120);
            System.out.print(out);
            assertTrue(out.contains("scenario " + scenario + " passed"), out);
        } finally {
            exec(List.of("ip", "netns", "del", ns), 10);
        }
        assertFalse(exec(List.of("ip", "netns", "list"), 10).contains(ns), "namespace " + ns + " removed");
    }

    @Test
    void pingsLoopbackWhenAllowedAndMapsTheIdentifierBack() throws Exception {
        inNamespace("reply");
    }

    @Test
    void refusedWithEaccesWhenTheGroupIsOutsideTheRangeAndLoggedOnce() throws Exception {
        inNamespace("denied");
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        inNamespace("close");
    }

    @Test
    void hostUnreachableComesFromTheErrorQueue() throws Exception {
        inNamespace("unreachable");
    }
}
