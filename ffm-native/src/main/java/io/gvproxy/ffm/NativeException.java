package io.gvproxy.ffm;

import java.io.IOException;

/**
 * A failed libc call: the operation, the errno and the C library's text for it, formatted like
 * {@code connect: No such file or directory (errno 2)} so that logs read like the C tools'.
 */
public class NativeException extends IOException {
    private final String operation;
    private final int errno;

    public NativeException(String operation, int errno, String description) {
        super(operation + ": " + description + " (errno " + errno + ")");
        this.operation = operation;
        this.errno = errno;
    }

    /** The failed call, e.g. {@code connect}. */
    public String operation() {
        return operation;
    }

    /** The raw errno value (its meaning depends on the OS; compare with {@link OsConstants}). */
    public int errno() {
        return errno;
    }
}
