package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LogrusLoggerTest {
    private static final Instant T = Instant.parse("2026-11-28T01:02:03.456Z");

    @Test
    void upstreamTextFormat() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogrusLogger log = new LogrusLogger(out, false, LogrusLogger.Level.INFO, Clock.fixed(T, ZoneOffset.UTC));
        log.info("listening on unix:///tmp/q.sock");
        log.warn("plain");
        log.error("tab\tand \"quote\"");
        log.fatal("");
        assertEquals("""
                time="2026-11-28T01:02:03Z" level=info msg="listening on unix:///tmp/q.sock"
                time="2026-11-28T01:02:03Z" level=warning msg=plain
                time="2026-11-28T01:02:03Z" level=error msg="tab\\tand \\"quote\\""
                time="2026-11-28T01:02:03Z" level=fatal msg=
                """, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void localOffsetIsPrinted() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LogrusLogger(out, false, LogrusLogger.Level.INFO, Clock.fixed(T, ZoneOffset.ofHours(2))).info("x");
        assertEquals("time=\"2026-11-28T03:02:03+02:00\" level=info msg=x\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rfc3339AsGoPrintsIt() {
        assertEquals("2026-11-27T21:32:03-03:30",
                LogrusLogger.rfc3339(T.atZone(ZoneOffset.ofHoursMinutes(-3, -30))));
        assertEquals("0042-01-02T03:04:05Z", LogrusLogger.rfc3339(
                java.time.ZonedDateTime.of(42, 1, 2, 3, 4, 5, 999, ZoneOffset.UTC)));
        // Go prints "Z" only for a zero offset and drops an offset's seconds.
        assertEquals("2026-11-28T01:02:33+00:00", LogrusLogger.rfc3339(T.atZone(ZoneOffset.ofTotalSeconds(30))));
    }

    @Test
    void localTimeIsTheSystemZone() {
        Clock c = LogrusLogger.localTime();
        assertEquals(java.time.ZoneId.systemDefault(), c.getZone());
        assertTrue(Math.abs(c.millis() - System.currentTimeMillis()) < 10_000);
    }

    @Test
    void levelsParseAsLogrus() {
        assertEquals(java.util.Optional.of(LogrusLogger.Level.WARNING), LogrusLogger.Level.parse("warn"));
        assertEquals(java.util.Optional.of(LogrusLogger.Level.WARNING), LogrusLogger.Level.parse("Warning"));
        assertEquals(java.util.Optional.of(LogrusLogger.Level.TRACE), LogrusLogger.Level.parse("TRACE"));
        assertEquals(java.util.Optional.of(LogrusLogger.Level.PANIC), LogrusLogger.Level.parse("panic"));
        assertEquals(java.util.Optional.empty(), LogrusLogger.Level.parse("loud"));
    }

    @Test
    void debugOnlyWhenEnabled() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogrusLogger info = new LogrusLogger(out, false, LogrusLogger.Level.INFO, Clock.fixed(T, ZoneOffset.UTC));
        info.debug("hidden");
        assertFalse(info.isEnabled(LogrusLogger.Level.DEBUG));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        LogrusLogger debug = new LogrusLogger(out, false, LogrusLogger.Level.DEBUG, Clock.fixed(T, ZoneOffset.UTC));
        debug.debug("shown");
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("level=debug msg=shown"));
    }

    @Test
    void quotingMatchesGo() {
        assertEquals("\"a\\nb\\x01\\u00a0é\\u2028 \\U000f0000😀\"", GoQuote.quote("a\nb\u0001\u00a0é\u2028 \udb80\udc00😀"));
        assertEquals("\"\\\\\"", GoQuote.quote("\\"));
    }
}
