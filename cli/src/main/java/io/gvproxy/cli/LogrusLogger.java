package io.gvproxy.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

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

    /**
     * The host's local time, as logrus prints it, with the time zone looked up at the first log line rather than
     * here: resolving it reads the tz database, work that startup (time to listening) need not wait for.
     */
    public static Clock localTime() {
        return new Clock() {
            private volatile ZoneId zone;

            @Override
            public ZoneId getZone() {
                ZoneId z = zone;
                if (z == null) {
                    z = ZoneId.systemDefault();
                    zone = z;
                }
                return z;
            }

            @Override
            public Clock withZone(ZoneId z) {
                return Clock.system(z);
            }

            @Override
            public Instant instant() {
                return Instant.now();
            }
        };
    }

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
        return "time=" + value(rfc3339(time)) + " level=" + level.text + " msg=" + value(msg) + "\n";
    }

    /**
     * Go's time.RFC3339 ("2006-01-02T15:04:05Z07:00": "Z" for UTC, else ±hh:mm), written out by hand because a
     * DateTimeFormatter pattern costs a noticeable part of gvproxy's startup to build.
     */
    static String rfc3339(ZonedDateTime t) {
        int year = t.getYear();
        if (year < 0 || year > 9999) {
            return t.toOffsetDateTime().withNano(0).toString();
        }
        StringBuilder b = new StringBuilder(25);
        pad(b, year, 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2).append(':');
        pad(b, t.getMinute(), 2).append(':');
        pad(b, t.getSecond(), 2);
        int offset = t.getOffset().getTotalSeconds();
        if (offset == 0) {
            return b.append('Z').toString();
        }
        b.append(offset < 0 ? '-' : '+');
        int minutes = Math.abs(offset) / 60;
        pad(b, minutes / 60, 2).append(':');
        return pad(b, minutes % 60, 2).toString();
    }

    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(digits);
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
