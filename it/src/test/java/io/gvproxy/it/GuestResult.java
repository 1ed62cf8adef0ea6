package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Everything one guest boot produced: its check results, whether /init finished, and timings. */
record GuestResult(String name, List<CheckResult> checks, String summary, boolean done, boolean timedOut,
        int exitCode, Duration initAfter, Duration exitAfter, Path console) {
    private static final int CONSOLE_TAIL_LINES = 60;

    Optional<CheckResult> check(String name) {
        return checks.stream().filter(c -> c.check().equals(name)).findFirst();
    }

    /** Fails unless the guest finished and each named check printed PASS. */
    void assertPassed(List<String> expected) {
        List<String> problems = new ArrayList<>();
        if (timedOut) {
            problems.add("guest timed out and was killed");
        } else if (!done) {
            problems.add("guest exited (code " + exitCode + ") without RIG-DONE");
        }
        for (String name : expected) {
            Optional<CheckResult> result = check(name);
            if (result.isEmpty()) {
                problems.add(name + ": no result");
            } else if (!result.get().passed()) {
                problems.add(name + ": FAIL " + result.get().detail());
            }
        }
        if (!problems.isEmpty()) {
            fail("guest " + name + ": " + String.join("; ", problems) + "\n--- last console lines (" + console
                    + ") ---\n" + consoleTail());
        }
    }

    String timing() {
        return String.format("guest %s: /init after %s, exit after %.1f s (code %d)%s", name,
                initAfter == null ? "never" : String.format("%.1f s", initAfter.toMillis() / 1000.0),
                exitAfter.toMillis() / 1000.0, exitCode, timedOut ? ", TIMED OUT" : "");
    }

    String consoleTail() {
        try {
            List<String> lines = Files.readAllLines(console, java.nio.charset.StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - CONSOLE_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(console log unreadable: " + e + ")";
        }
    }
}
