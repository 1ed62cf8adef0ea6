package io.gvproxy.jmh.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The programs a run uses: this JDK's java, the launchers users run (cli/bin/gvproxy and cli/bin/gvforwarder, which
 * exec {@code java -jar} on the built jars with the launchers' JVM defaults, keeping the pid), and this module's jar
 * for the guest-side clients.
 */
record Toolbox(String java, String gvproxy, String gvforwarder, String harnessJar) {
    static Toolbox fromRoot(Path root) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path cli = root.resolve("cli/target");
        Path harness = root.resolve("jmh/target/benchmarks.jar");
        for (Path p : new Path[] {cli.resolve("gvproxy.jar"), cli.resolve("gvforwarder.jar"), harness}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " is missing: build it (jmh/bin/net-harness does)");
            }
        }
        return new Toolbox(java.toString(), root.resolve("cli/bin/gvproxy").toString(),
                root.resolve("cli/bin/gvforwarder").toString(), harness.toString());
    }
}
