package io.gvproxy.jmh.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HarnessOptionsTest {
    private static final String[] REQUIRED = {"--root", "/r", "--state", "/s", "--run-id", "42"};

    private static HarnessOptions parse(String... user) {
        String[] all = new String[REQUIRED.length + user.length];
        System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
        System.arraycopy(user, 0, all, REQUIRED.length, user.length);
        return HarnessOptions.parse(all);
    }

    @Test
    void defaultsAreThreeRepetitionsOfEveryPath() {
        HarnessOptions o = parse();
        assertFalse(o.smoke());
        assertEquals(3, o.reps());
        assertEquals(HarnessOptions.FULL_PATHS, o.paths());
        assertEquals(42, o.runId());
        assertEquals("jmh/bin/net-harness", o.commandLine());
    }

    @Test
    void testsPicksASubsetInTheUsualOrder() {
        assertEquals(List.of(TestKind.values()), parse().tests());
        HarnessOptions o = parse("--tests", "crr,rr");
        assertEquals(List.of(TestKind.RR, TestKind.CRR), o.tests());
        assertEquals("jmh/bin/net-harness --tests rr,crr", o.commandLine());
        assertThrows(IllegalArgumentException.class, () -> parse("--tests", "rr,nope"));
        assertThrows(IllegalArgumentException.class, () -> parse("--tests", ","));
    }

    @Test
    void smokeIsOneRepetitionOfVethAndGvproxy1500() {
        HarnessOptions o = parse("--smoke");
        assertTrue(o.smoke());
        assertEquals(1, o.reps());
        assertEquals(List.of("veth", "gvproxy-1500"), o.paths());
        assertEquals("jmh/bin/net-harness --smoke", o.commandLine());
    }

    @Test
    void chosenPathsAndRepetitionsAreKeptAndNamedInTheCommandLine() {
        HarnessOptions o = parse("--paths", "gvproxy-4000,pasta", "--reps", "5");
        assertEquals(List.of("gvproxy-4000", "pasta"), o.paths());
        assertEquals("jmh/bin/net-harness --reps 5 --paths gvproxy-4000,pasta", o.commandLine());
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> parse("--paths", "loopback"));
        assertThrows(IllegalArgumentException.class, () -> parse("--reps", "0"));
        assertThrows(IllegalArgumentException.class, () -> parse("--reps"));
        assertThrows(IllegalArgumentException.class, () -> parse("--fast"));
        assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse(new String[] {"--smoke"}));
    }
}
