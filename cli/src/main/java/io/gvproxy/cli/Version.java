package io.gvproxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The build's version, from the Maven-filtered resource version.properties. */
public final class Version {
    private Version() {
    }

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    /** The line -version prints, as upstream's types.NewVersion("gvproxy").String(). */
    public static String line() {
        return "gvproxy version " + version();
    }
}
