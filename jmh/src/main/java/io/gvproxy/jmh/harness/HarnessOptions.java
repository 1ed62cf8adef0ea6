package io.gvproxy.jmh.harness;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@link NetHarness} (jmh/bin/net-harness passes {@code --root}, {@code --state} and
 * {@code --run-id}; a user passes the rest).
 *
 * @param paths          path ids in the order they run: veth, gvproxy-MTU (any MTU 68-65520), slirp4netns, pasta
 * @param foreignLimit   % of one core of foreign CPU above which a repetition is run once more (not in smoke mode)
 * @param appendResults  file to append the dated report to, or null
 * @param tests          the tests to run on each path, in {@link TestKind} order (all by default)
 */
record HarnessOptions(boolean smoke, int reps, List<String> paths, double foreignLimit, Path appendResults,
        String title, Path root, Path stateDir, long runId, List<TestKind> tests) {
    static final List<String> FULL_PATHS = List.of("veth", "gvproxy-1500", "gvproxy-65520", "slirp4netns", "pasta");
    static final List<String> SMOKE_PATHS = List.of("veth", "gvproxy-1500");
    static final double DEFAULT_FOREIGN_LIMIT = 25;

    static HarnessOptions parse(String[] args) {
        boolean smoke = false;
        Integer reps = null;
        List<String> paths = null;
        double foreignLimit = DEFAULT_FOREIGN_LIMIT;
        Path append = null;
        String title = null;
        Path root = null;
        Path state = null;
        long runId = ProcessHandle.current().pid();
        List<TestKind> tests = List.of(TestKind.values());
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--smoke" -> smoke = true;
                case "--reps" -> reps = Integer.parseInt(value(args, ++i, a));
                case "--paths" -> paths = List.of(value(args, ++i, a).split(","));
                case "--foreign-limit" -> foreignLimit = Double.parseDouble(value(args, ++i, a));
                case "--append-results" -> append = Path.of(value(args, ++i, a));
                case "--title" -> title = value(args, ++i, a);
                case "--tests" -> tests = TestKind.parseList(value(args, ++i, a));
                case "--root" -> root = Path.of(value(args, ++i, a));
                case "--state" -> state = Path.of(value(args, ++i, a));
                case "--run-id" -> runId = Long.parseLong(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (root == null || state == null) {
            throw new IllegalArgumentException("--root and --state are required (jmh/bin/net-harness sets them)");
        }
        if (reps != null && reps < 1) {
            throw new IllegalArgumentException("--reps must be at least 1");
        }
        List<String> chosen = paths != null ? paths : smoke ? SMOKE_PATHS : FULL_PATHS;
        for (String p : chosen) {
            if (!FULL_PATHS.contains(p) && !p.matches("gvproxy-\\d+")) {
                throw new IllegalArgumentException("unknown path " + p + " (veth, gvproxy-MTU, slirp4netns, pasta)");
            }
        }
        return new HarnessOptions(smoke, reps != null ? reps : smoke ? 1 : 3, chosen, foreignLimit, append,
                title != null ? title : smoke ? "net-harness smoke run" : "net-harness run", root, state, runId, tests);
    }

    /** The user's part of the command line that gives these options (the report names it). */
    String commandLine() {
        StringBuilder sb = new StringBuilder("jmh/bin/net-harness");
        if (smoke) {
            sb.append(" --smoke");
        }
        if (reps != (smoke ? 1 : 3)) {
            sb.append(" --reps ").append(reps);
        }
        if (!paths.equals(smoke ? SMOKE_PATHS : FULL_PATHS)) {
            sb.append(" --paths ").append(String.join(",", paths));
        }
        if (tests.size() != TestKind.values().length) {
            sb.append(" --tests ").append(String.join(",", tests.stream().map(TestKind::id).toList()));
        }
        if (foreignLimit != DEFAULT_FOREIGN_LIMIT) {
            sb.append(" --foreign-limit ").append(foreignLimit);
        }
        return sb.toString();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
