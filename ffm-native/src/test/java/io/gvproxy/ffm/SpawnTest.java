package io.gvproxy.ffm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpawnTest {
    private final OsConstants k = Platform.current().constants();

    /** A connected AF_UNIX stream pair, both ends close-on-exec. */
    private int[] socketPair(Arena a) throws NativeException {
        MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
        LibC.check("socketpair", LibC.socketpairRaw(k.afUnix(), k.sockStream() | k.sockCloexec(), 0, fds));
        return new int[]{fds.get(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
    }

    private static String readAll(Arena a, int fd) throws NativeException {
        MemorySegment buf = a.allocate(4096);
        StringBuilder out = new StringBuilder();
        for (;;) {
            long n = LibC.check("recv", LibC.recvRaw(fd, buf, buf.byteSize(), 0));
            if (n == 0) {
                return out.toString();
            }
            out.append(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }

    @Test
    void childSeesTheSocketAsFd3() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            int[] pair = socketPair(a);
            try {
                SpawnedProcess child = Spawn.start(List.of("/bin/sh", "-c",
                        "[ -S /proc/self/fd/3 ] || exit 9; read line <&3; echo \"got:$line\" >&3"), Map.of(3, pair[1]));
                LibC.closeQuietly(pair[1]);
                pair[1] = -1;
                MemorySegment msg = a.allocateFrom("hello\n", StandardCharsets.US_ASCII);
                LibC.check("send", LibC.sendRaw(pair[0], msg, 6, 0));
                assertEquals("got:hello\n", readAll(a, pair[0]));
                assertEquals(0, child.waitFor());
            } finally {
                LibC.closeQuietly(pair[0]);
                if (pair[1] >= 0) {
                    LibC.closeQuietly(pair[1]);
                }
            }
        }
    }

    @Test
    void closeOnExecDescriptorsStayBehind() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            int[] pair = socketPair(a);
            try {
                // pair[1] is close-on-exec and not mapped: the child must not have it.
                SpawnedProcess child = Spawn.start(List.of("/bin/sh", "-c", "[ ! -e /proc/self/fd/" + pair[1] + " ]"),
                        Map.of());
                assertEquals(0, child.waitFor());
            } finally {
                LibC.closeQuietly(pair[0]);
                LibC.closeQuietly(pair[1]);
            }
        }
    }

    @Test
    void oneSourceFillsTwoTargets() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            int[] pair = socketPair(a);
            try {
                SpawnedProcess child = Spawn.start(List.of("/bin/sh", "-c", "[ -S /proc/self/fd/3 ] && [ -S /proc/self/fd/4 ]"),
                        Map.of(3, pair[0], 4, pair[0]));
                assertEquals(0, child.waitFor());
            } finally {
                LibC.closeQuietly(pair[0]);
                LibC.closeQuietly(pair[1]);
            }
        }
    }

    @Test
    void exitCodeIsReturned() throws Exception {
        assertEquals(7, Spawn.start(List.of("/bin/sh", "-c", "exit 7"), Map.of()).waitFor());
    }

    @Test
    void programIsFoundOnPath() throws Exception {
        assertEquals(0, Spawn.start(List.of("true"), Map.of()).waitFor());
        assertEquals(1, Spawn.start(List.of("false"), Map.of()).waitFor());
    }

    @Test
    void signalledChildReports128PlusSignal() throws Exception {
        SpawnedProcess child = Spawn.start(List.of("sleep", "30"), Map.of());
        assertTrue(child.signal(Spawn.SIGTERM));
        assertEquals(128 + Spawn.SIGTERM, child.waitFor());
        assertFalse(child.signal(Spawn.SIGTERM), "a reaped child must not be signalled");
        assertEquals(128 + Spawn.SIGTERM, child.waitFor());
    }

    @Test
    void childSignalMaskIsEmpty() throws Exception {
        SpawnedProcess child = Spawn.start(List.of("/bin/sh", "-c",
                "grep -q '^SigBlk:[[:space:]]*0*$' /proc/self/status"), Map.of());
        assertEquals(0, child.waitFor());
    }

    @Test
    void missingProgramFailsWithErrno() {
        NativeException e = assertThrows(NativeException.class,
                () -> Spawn.start(List.of("/nonexistent/qemu-system-x86_64"), Map.of()).waitFor());
        assertEquals(k.enoent(), e.errno());
    }

    @Test
    void waitStatusDecoding() {
        assertEquals(0, SpawnedProcess.decode(0));
        assertEquals(3, SpawnedProcess.decode(3 << 8));
        assertEquals(255, SpawnedProcess.decode(0xff00));
        assertEquals(137, SpawnedProcess.decode(9));
        assertEquals(143, SpawnedProcess.decode(15 | 0x80));
    }
}
