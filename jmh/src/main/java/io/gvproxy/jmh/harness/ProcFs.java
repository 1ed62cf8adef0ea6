package io.gvproxy.jmh.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the harness reads from /proc: CPU ticks of processes and of the machine, peak RSS, listening sockets. */
final class ProcFs {
    /** USER_HZ: the unit of every tick count in /proc on Linux. */
    static final int TICKS_PER_SECOND = 100;

    private ProcFs() {
    }

    /**
     * utime + stime + cutime + cstime of {@code pid}, or -1 when it is gone. The children's part makes a
     * process's count include every child it has already reaped, so a tree's CPU survives its short-lived members.
     */
    static long cpuTicks(long pid) {
        String[] f = statFields(pid);
        if (f == null) {
            return -1;
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /** Field 22 of /proc/PID/stat (start time in ticks after boot): with the pid it names one process for good. */
    static long startTime(long pid) {
        String[] f = statFields(pid);
        return f == null ? -1 : Long.parseLong(f[19]);
    }

    /** The fields after "(comm)" in /proc/PID/stat: index 0 is field 3 (state). */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** CPU ticks of this JVM and every live descendant (reaped ones are in the JVM's cutime/cstime). */
    static long ownTreeTicks() {
        ProcessHandle self = ProcessHandle.current();
        long sum = Math.max(0, cpuTicks(self.pid()));
        for (ProcessHandle h : self.descendants().toList()) {
            sum += Math.max(0, cpuTicks(h.pid()));
        }
        return sum;
    }

    /** Ticks of all CPUs together: busy (user, nice, system, irq, softirq) and total (also idle, iowait, steal). */
    record MachineTicks(long busy, long total) {
    }

    static MachineTicks machineTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = first.trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]);
            return new MachineTicks(busy, busy + Long.parseLong(f[4]) + Long.parseLong(f[5]) + Long.parseLong(f[8]));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat", e);
        }
    }

    /** VmHWM (peak resident set) of {@code pid} in KiB, or -1 when it is gone. */
    static long peakRssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Whether a TCP socket listens on {@code port} in the network namespace of {@code pid}: /proc/PID/net/tcp
     * shows that process's namespace, so this also sees a server inside a guest namespace.
     */
    static boolean listening(long pid, int port) {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of("tcp", "tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // Gone, or no IPv6 table: not listening there.
            }
        }
        return false;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
