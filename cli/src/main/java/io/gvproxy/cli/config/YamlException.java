package io.gvproxy.cli.config;

/** A config file that cannot be used: the 1-based line it is about (0 when the file as a whole) and why. */
public final class YamlException extends Exception {
    private final int line;

    public YamlException(int line, String message) {
        super(message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
