package io.gvproxy.cli;

import java.util.List;
import java.util.Optional;

/**
 * Flags whose behaviour does not exist yet in this port. Giving one explicitly stops gvproxy instead of silently
 * running without the feature the caller asked for.
 */
public final class UnimplementedFlags {
    /** In definition order, so the reported flag is predictable when several are given. */
    public static final List<String> NAMES = List.of("forward-sock", "forward-dest", "forward-user",
            "forward-identity");

    private UnimplementedFlags() {
    }

    /** The one-line error for the first unimplemented flag that was given. */
    public static Optional<String> check(GvproxyOptions options) {
        for (String name : NAMES) {
            if (options.explicitFlags().contains(name)) {
                return Optional.of("flag -" + name + " is not implemented yet");
            }
        }
        if (!options.forwards().isEmpty()) {
            return Optional.of("forwards (SSH unix socket forwarding) in the config file is not implemented yet");
        }
        return Optional.empty();
    }
}
