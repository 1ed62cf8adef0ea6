package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gvproxy.core.net.MacAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The small pieces of gvforwarder: DHCP client choice, backoff, the link list, the -debug frame line. */
class GvforwarderPartsTest {
    @Test
    void prefersUdhcpcOnPathElseDhclient() {
        Set<Path> executables = Set.of(Path.of("/opt/bb/udhcpc"));
        assertEquals(List.of("udhcpc", "-f", "-q", "-i", "tap0", "-v"),
                DhcpClientCommand.forInterface("tap0", "/usr/bin:/opt/bb", executables::contains));
        assertEquals(List.of("dhclient", "-4", "-d", "-v", "tap0"),
                DhcpClientCommand.forInterface("tap0", "/usr/bin:/usr/sbin", executables::contains));
        assertEquals(List.of("udhcpc", "-f", "-q", "-i", "eth9", "-v"),
                DhcpClientCommand.forInterface("eth9", "/usr/bin::x", Set.of(Path.of("./udhcpc"))::contains));
    }

    @Test
    void backoffDoublesToTenSecondsAndRestartsAfterALongSession() {
        ReconnectBackoff b = new ReconnectBackoff();
        long[] expected = {1000, 2000, 4000, 8000, 10_000, 10_000};
        for (long e : expected) {
            assertEquals(e, b.afterSession(5));
        }
        assertEquals(1000, b.afterSession(10_000));
        assertEquals(2000, b.afterSession(9_999));
    }

    @Test
    void linkNamesComeFromProcNetDev() {
        List<String> lines = List.of(
                "Inter-|   Receive                                                |  Transmit",
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets",
                "    lo:    1234      12    0    0    0     0          0         0     1234      12",
                "  tap0: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
                "eth0:1 2 3");
        assertEquals(List.of("lo", "tap0", "eth0"), NetworkLinkNames.parse(lines));
    }

    @Test
    void debugLineNamesLengthMacsAndEthertype() {
        MemorySegment frame = Arena.ofAuto().allocate(42);
        MacAddress.parse("ff:ff:ff:ff:ff:ff").writeTo(frame, 0);
        MacAddress.parse("5a:94:ef:e4:0c:ee").writeTo(frame, 6);
        frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 12, (byte) 0x08);
        frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 13, (byte) 0x06);
        StringBuilder b = new StringBuilder();
        assertEquals("gvforwarder tap>host 42 5a:94:ef:e4:0c:ee > ff:ff:ff:ff:ff:ff ARP op 0 0.0.0.0 > 0.0.0.0",
                io.gvproxy.core.link.FrameLogLink.summarize(b, "gvforwarder", "tap>host", frame));
        assertEquals("gvforwarder x 3 (shorter than an Ethernet header)",
                io.gvproxy.core.link.FrameLogLink.summarize(b, "gvforwarder", "x", frame.asSlice(0, 3)));
    }
}
