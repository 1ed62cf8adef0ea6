package io.gvproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A child started by {@link Spawn}. {@link #waitFor} blocks in the kernel (call it from a platform thread);
 * {@link #signal} may be called from any thread and never reaches another process: the child is kept as a zombie
 * until signalling is shut off, so its pid cannot be reused under a late signal.
 */
public final class SpawnedProcess {
    private final int pid;
    private boolean reaped;
    private int status = -1;

    SpawnedProcess(int pid) {
        this.pid = pid;
    }

    public int pid() {
        return pid;
    }

    /**
     * Waits for the child to end and returns its status like a shell: the exit code, or 128 + the signal number
     * when a signal ended it.
     */
    public int waitFor() throws NativeException {
        synchronized (this) {
            if (reaped) {
                return status;
            }
        }
        LibC.check("waitid", Spawn.awaitExitKeepingZombie(pid));
        synchronized (this) {
            if (!reaped) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment raw = a.allocate(ValueLayout.JAVA_INT);
                    LibC.check("waitpid", Spawn.reap(pid, raw));
                    status = decode(raw.get(ValueLayout.JAVA_INT, 0));
                    reaped = true;
                }
            }
            return status;
        }
    }

    /** Sends {@code signal} unless the child was already reaped; false in that case. */
    public synchronized boolean signal(int signal) throws NativeException {
        if (reaped) {
            return false;
        }
        LibC.check("kill", Spawn.kill(pid, signal));
        return true;
    }

    /** The wait status as a shell reports it (the encoding is the same on Linux and macOS). */
    static int decode(int raw) {
        int termSignal = raw & 0x7f;
        if (termSignal == 0) {
            return (raw >> 8) & 0xff;
        }
        return 128 + termSignal;
    }
}
