package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.net.MacAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GvforwarderFlagsTest {
    private static GvforwarderOptions options(String... args) throws FlagException {
        return GvforwarderFlags.validate(GvforwarderFlags.define().parse(List.of(args)));
    }

    @Test
    void defaultsAreUpstreams() throws FlagException {
        GvforwarderOptions o = options();
        assertEquals(new ForwarderUrl.Vsock(2, 1024, "/connect"), o.url());
        assertEquals("tap0", o.iface());
        assertEquals(List.of("eth0", "ens3", "enp0s1"), o.stopIfExist());
        assertEquals(MacAddress.parse("5a:94:ef:e4:0c:ee"), o.mac());
        assertEquals(4000, o.mtu());
        assertEquals(4014, o.frameCapacity());
        assertFalse(o.preexisting());
        assertFalse(o.debug());
    }

    @Test
    void everyFlagIsHonoured() throws FlagException {
        GvforwarderOptions o = options("-url", "unix:///tmp/api.sock", "-iface=vsock0", "-stop-if-exist", "none",
                "-mac", "02:00:00:00:00:01", "-mtu", "1500", "-preexisting", "--debug");
        assertEquals(new ForwarderUrl.Unix(Path.of("/tmp/api.sock")), o.url());
        assertEquals("vsock0", o.iface());
        assertEquals(List.of("none"), o.stopIfExist());
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), o.mac());
        assertEquals(1514, o.frameCapacity());
        assertTrue(o.preexisting());
        assertTrue(o.debug());
    }

    @Test
    void emptyMacKeepsTheTapsOwnAndEmptyStopListMatchesNothing() throws FlagException {
        GvforwarderOptions o = options("-mac", "", "-stop-if-exist", "");
        assertNull(o.mac());
        assertEquals(List.of(""), o.stopIfExist());
    }

    @Test
    void rejectsBadValues() {
        for (List<String> args : List.of(List.of("-mac", "zz"), List.of("-mtu", "49"), List.of("-mtu", "65522"),
                List.of("-iface", ""), List.of("-iface", "sixteen-bytes-xx"), List.of("-iface", "a/b"),
                List.of("-url", "tcp://x:1"), List.of("-nope"))) {
            FlagException e = assertThrows(FlagException.class, () -> options(args.toArray(String[]::new)),
                    args.toString());
            assertEquals(2, e.exitStatus(), args.toString());
        }
    }

    @Test
    void versionPrintsGvforwarderVersionAndExitsZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GvforwarderMain.run(new String[] {"-version"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertEquals("gvforwarder version " + Version.version() + "\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsUsageAndBadFlagExitsTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(0, GvforwarderMain.run(new String[] {"-h"}, out, errStream));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("Usage of gvforwarder:\n"), err.toString());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("-stop-if-exist string"), err.toString());
        err.reset();
        assertEquals(2, GvforwarderMain.run(new String[] {"-url", "ftp://x"}, out, errStream));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("for flag -url: unexpected scheme"), err.toString());
    }

    @Test
    void stopsWithStatusZeroWhenANamedLinkExists() {
        // Every namespace has a loopback link, so "lo" always stops the command before it dials anything.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GvforwarderMain.run(new String[] {"-stop-if-exist", "nonexistent0,lo", "-url", "unix:///nonexistent"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("msg=\"interface lo prevented this program to run\""),
                err.toString());
    }
}
