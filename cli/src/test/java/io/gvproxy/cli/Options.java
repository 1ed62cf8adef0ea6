package io.gvproxy.cli;

import java.util.ArrayList;
import java.util.List;

/** Test helper: parse and validate a gvproxy command line in-process. */
final class Options {
    private Options() {
    }

    static GvproxyOptions of(String... args) throws FlagException {
        List<String> cl = new ArrayList<>(List.of("gvproxy"));
        cl.addAll(List.of(args));
        return GvproxyOptionsValidator.validate(GvproxyFlags.define().parse(List.of(args)), cl);
    }
}
