package io.gvproxy.cli;

/**
 * Makes an exception that escapes a thread one error line in gvproxy's log instead of a stack trace on stderr:
 * callers that parse the log (podman, CRC) expect logrus lines only. At debug level the first frames follow as
 * debug lines, so that a bug can still be located.
 */
final class UncaughtErrors {
    /** Enough frames to find the throwing method and its callers; a deep recursion cannot flood the log. */
    static final int MAX_FRAMES = 12;

    private UncaughtErrors() {
    }

    static void install(LogrusLogger log) {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> report(log, "thread " + thread.getName(), e));
    }

    static void report(LogrusLogger log, String where, Throwable e) {
        log.error("unexpected error in " + where + ": " + e);
        if (log.isEnabled(LogrusLogger.Level.DEBUG)) {
            StackTraceElement[] frames = e.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
                log.debug("    at " + frames[i]);
            }
        }
    }
}
