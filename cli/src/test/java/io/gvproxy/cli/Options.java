package io.gvproxy.cli;

import java.util.ArrayList;
import java.util.List;

/** Test helper: parse and validate a gvproxy command line in-process. */
final class Options {
    private Options() {
    }

    /**
     * Adds {@code -ssh-port=-1} unless the arguments name {@code -ssh-port}, so that servers started in tests do
     * not bind the host's port 2222.
     */
    static GvproxyOptions of(String... args) throws FlagException {
        List<String> all = new ArrayList<>();
        if (java.util.Arrays.stream(args).noneMatch(a -> a.replaceFirst("^--?", "").startsWith("ssh-port"))) {
            all.add("-ssh-port=-1");
        }
        all.addAll(List.of(args));
        List<String> cl = new ArrayList<>(List.of("gvproxy"));
        cl.addAll(all);
        return GvproxyOptionsValidator.validate(GvproxyFlags.define().parse(all), cl);
    }
}
