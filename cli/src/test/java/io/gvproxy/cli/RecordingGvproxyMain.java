package io.gvproxy.cli;

/** Entry point for child-process tests: the real command with an echoing handler in place of a network stack. */
public final class RecordingGvproxyMain {
    private RecordingGvproxyMain() {
    }

    public static void main(String[] args) {
        System.exit(GvproxyMain.run(args, (options, log) -> new RecordingHandler()));
    }
}
