package io.gvproxy.jmh.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** The programs a run uses: this JDK's java, the built jars, and this module's jar for the guest-side clients. */
record Toolbox(String java, String gvproxyJar, String gvforwarderJar, String harnessJar) {
    static Toolbox fromRoot(Path root) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path cli = root.resolve("cli/target");
        Path harness = root.resolve("jmh/target/benchmarks.jar");
        for (Path p : new Path[] {cli.resolve("gvproxy.jar"), cli.resolve("gvforwarder.jar"), harness}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " is missing: build it (jmh/bin/net-harness does)");
            }
        }
        return new Toolbox(java.toString(), cli.resolve("gvproxy.jar").toString(),
                cli.resolve("gvforwarder.jar").toString(), harness.toString());
    }
}
