package io.gvproxy.cli;

import io.gvproxy.core.nat.NatConfig;
import io.gvproxy.core.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatFlagsTest {
    private static NatConfig parse(String... args) throws FlagException {
        return Options.of(args).nat();
    }

    @Test
    void defaultsAreUpstreamsWithOurTimeouts() throws Exception {
        NatConfig c = parse();
        assertTrue(c.policy().allows(Ipv4.parse("8.8.8.8")));
        assertFalse(c.ec2MetadataAccess());
        assertEquals(Duration.ofSeconds(10), c.connectTimeout());
        assertEquals(Duration.ofSeconds(90), c.udpIdleTimeout());
        assertEquals(Ipv4.parse("127.0.0.1"), c.table().translate(Ipv4.parse("192.168.127.254")));
    }

    @Test
    void egressFlagsBuildThePolicy() throws Exception {
        NatConfig c = parse("-egress-allow", "127.0.0.0/8", "--egress-deny=127.0.0.2/32", "-ec2-metadata-access",
                "-nat-connect-timeout", "1m30s", "-udp-idle-timeout", "500ms", "-udp-max-flows", "7");
        assertTrue(c.policy().allows(Ipv4.parse("127.0.0.1")));
        assertFalse(c.policy().allows(Ipv4.parse("127.0.0.2")));
        assertFalse(c.policy().allows(Ipv4.parse("10.200.0.1")));
        assertTrue(c.ec2MetadataAccess());
        assertEquals(Duration.ofSeconds(90), c.connectTimeout());
        assertEquals(Duration.ofMillis(500), c.udpIdleTimeout());
        assertEquals(7, c.maxUdpFlows());
    }

    @ParameterizedTest
    @CsvSource({"10s,10000", "1.5s,1500", "2m,120000", "1h1m,3660000", "250ms,250", ".5s,500"})
    void goDurations(String text, long millis) throws Exception {
        assertEquals(Duration.ofMillis(millis), NatFlags.duration("x", text));
    }

    @ParameterizedTest
    @CsvSource({"1ns,1", "1us,1000", "1µs,1000", "1.5ns,1", "0.5ns0.5ns,1", "1.ms,1000000", "1h0.5ns,3600000000000",
            "9223372036854775807ns,9223372036854775807", "00000000000000000000001s,1000000000"})
    void goDurationsInNanos(String text, long nanos) throws Exception {
        assertEquals(Duration.ofNanos(nanos), NatFlags.duration("x", text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "0s", "-1s", "s", "10 s", "1d", "10s5", ".s", "1..5s", "1.5", "0.1ns",
            "9223372036854775808ns", "2562048h", "9223372036854775807ns1ns"})
    void badDurationsAreRefused(String text) {
        assertThrows(FlagException.class, () -> NatFlags.duration("x", text));
    }

    @Test
    void badCidrIsAFlagError() {
        FlagException e = assertThrows(FlagException.class, () -> parse("-egress-allow", "127.0.0.1"));
        assertTrue(e.getMessage().contains("-egress-allow"), e.getMessage());
    }
}
