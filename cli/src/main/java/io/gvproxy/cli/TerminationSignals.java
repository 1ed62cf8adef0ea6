package io.gvproxy.cli;

import java.util.List;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT handling. sun.misc.Signal (module jdk.unsupported) is the only JDK API that replaces the
 * JVM's own handlers, which would otherwise exit with status 128+n; javac warns about it, and it is kept here alone.
 */
final class TerminationSignals {
    private TerminationSignals() {
    }

    /** Calls {@code action} with "SIGTERM" or "SIGINT" on a JVM signal-dispatch thread instead of exiting. */
    static void handle(Consumer<String> action) {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), s -> action.accept("SIG" + s.getName()));
        }
    }
}
