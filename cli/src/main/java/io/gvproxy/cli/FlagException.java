package io.gvproxy.cli;

/**
 * A command-line problem reported as one line on stderr. The exit status follows Go's flag.ExitOnError: 0 for a
 * help request, 2 for everything else.
 */
public class FlagException extends Exception {
    private final int exitStatus;

    public FlagException(String message) {
        this(message, 2);
    }

    protected FlagException(String message, int exitStatus) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
