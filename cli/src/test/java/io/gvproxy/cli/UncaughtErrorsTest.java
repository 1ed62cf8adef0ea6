package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class UncaughtErrorsTest {
    private static String report(LogrusLogger.Level level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogrusLogger log = new LogrusLogger(out, false, level, Clock.systemUTC());
        UncaughtErrors.report(log, "thread t", new IllegalStateException("boom"));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneErrorLineAtInfo() {
        String text = report(LogrusLogger.Level.INFO);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.contains("level=error msg=\"unexpected error in thread t:"
                + " java.lang.IllegalStateException: boom\""), text);
    }

    @Test
    void boundedFramesAtDebug() {
        String text = report(LogrusLogger.Level.DEBUG);
        long frames = text.lines().filter(l -> l.contains("level=debug msg=\"    at ")).count();
        assertTrue(frames >= 1 && frames <= UncaughtErrors.MAX_FRAMES, text);
        assertTrue(text.lines().allMatch(l -> l.startsWith("time=")), text);
    }
}
