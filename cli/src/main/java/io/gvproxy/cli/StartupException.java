package io.gvproxy.cli;

/** gvproxy could not start (address in use, missing directory, unwritable pid file): one line, exit status 1. */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message, null, false, false);
    }

    /** Go-style lower-case reason from a JDK exception message ("Address already in use" → "address already in use"). */
    static String reason(Exception e) {
        String m = e.getMessage();
        if (m == null || m.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        return Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
