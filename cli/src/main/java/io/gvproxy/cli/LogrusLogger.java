package io.gvproxy.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes lines in logrus's text format ({@code time="2026-11-28T01:02:03Z" level=info msg="..."}), which tools that
 * wrap gvproxy already parse. One line per call, flushed at once; safe for concurrent use.
 */
public final class LogrusLogger implements AutoCloseable {
    public enum Level {
        TRACE("trace"), DEBUG("debug"), INFO("info"), WARNING("warning"), ERROR("error"), FATAL("fatal"),
        PANIC("panic");

        final String text;

        Level(String text) {
            this.text = text;
        }

        /** logrus.ParseLevel: the names above and "warn", in any case; empty for anything else. */
        public static java.util.Optional<Level> parse(String name) {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            if (n.equals("warn")) {
                return java.util.Optional.of(WARNING);
            }
            for (Level l : values()) {
                if (l.text.equals(n)) {
                    return java.util.Optional.of(l);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /** Go's time.RFC3339; XXX prints "Z" for UTC as Go does. */
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");

    private final OutputStream out;
    private final boolean closeOut;
    private final Level threshold;
    private final Clock clock;

    public LogrusLogger(OutputStream out, boolean closeOut, Level threshold, Clock clock) {
        this.out = out;
        this.closeOut = closeOut;
        this.threshold = threshold;
        this.clock = clock;
    }

    public boolean isEnabled(Level level) {
        return level.compareTo(threshold) >= 0;
    }

    public void debug(String msg) {
        log(Level.DEBUG, msg);
    }

    public void info(String msg) {
        log(Level.INFO, msg);
    }

    public void warn(String msg) {
        log(Level.WARNING, msg);
    }

    public void error(String msg) {
        log(Level.ERROR, msg);
    }

    public void fatal(String msg) {
        log(Level.FATAL, msg);
    }

    public void log(Level level, String msg) {
        if (!isEnabled(level)) {
            return;
        }
        String line = format(ZonedDateTime.now(clock), level, msg);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                // Logging must never take the proxy down; a full disk or closed stderr loses log lines only.
            }
        }
    }

    static String format(ZonedDateTime time, Level level, String msg) {
        return "time=" + value(RFC3339.format(time)) + " level=" + level.text + " msg=" + value(msg) + "\n";
    }

    /** logrus quotes a value unless every character is in [a-zA-Z0-9-._/@^+]. */
    private static String value(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '/' || c == '@' || c == '^' || c == '+';
            if (!plain) {
                return GoQuote.quote(s);
            }
        }
        return s;
    }

    @Override
    public void close() {
        if (closeOut) {
            synchronized (this) {
                try {
                    out.close();
                } catch (IOException e) {
                    // Nothing left to report it to.
                }
            }
        }
    }
}
