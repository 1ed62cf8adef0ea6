package io.gvproxy.core.dns;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

class DnsNameTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void readsPlainAndCompressedNames() throws Exception {
        // "example.com." at 0, then "www" + pointer to 0 at 13.
        byte[] m = hex("076578616d706c6503636f6d00 03777777c000");
        assertEquals(new DnsName.Read("example.com.", 13), DnsName.read(m, 0));
        assertEquals(new DnsName.Read("www.example.com.", 19), DnsName.read(m, 13));
        assertEquals(new DnsName.Read(".", 1), DnsName.read(hex("00"), 0));
    }

    @Test
    void escapesDotsBackslashesAndUnprintableBytes() throws Exception {
        byte[] m = hex("04 612e5c20 01 ff 00");
        String name = DnsName.read(m, 0).name();
        assertEquals("a\\.\\\\\\032.\\255.", name);
        assertArrayEquals(m, DnsName.encode(name));
    }

    @Test
    void encodesAndRoundTrips() throws Exception {
        byte[] wire = DnsName.encode("Gateway.Containers.Internal.");
        assertEquals("Gateway.Containers.Internal.", DnsName.read(wire, 0).name());
        assertArrayEquals(wire, DnsName.encode("Gateway.Containers.Internal"));
        assertArrayEquals(new byte[1], DnsName.encode("."));
        assertThrows(IllegalArgumentException.class, () -> DnsName.encode("a..b."));
        assertThrows(IllegalArgumentException.class, () -> DnsName.encode("x".repeat(64) + "."));
        assertThrows(IllegalArgumentException.class, () -> DnsName.encode("abcdefghi.".repeat(26)));
    }

    @Test
    void rejectsPointerLoops() {
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("c000"), 0), "self pointer");
        // 0: label "a" then pointer to 4; 4: pointer to 0.
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("0161c004 c000"), 0));
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("0161c004 c000"), 4));
    }

    @Test
    void rejectsForwardAndOutOfRangePointers() {
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("c002 00"), 0), "forward");
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("0000 c3ff"), 2), "out of range");
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("0161c0"), 0), "truncated pointer");
    }

    @Test
    void rejectsLongLabelsLongNamesAndTruncation() {
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("40" + "61".repeat(64) + "00"), 0));
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("80 00"), 0));
        StringBuilder longName = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            longName.append("3f").append("61".repeat(63));
        }
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex(longName + "00"), 0));
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("0361"), 0));
        assertThrows(MalformedDnsException.class, () -> DnsName.read(hex("0161"), 0), "no terminator");
        assertThrows(MalformedDnsException.class, () -> DnsName.read(new byte[0], 0));
    }

    @Test
    void messagesRejectPointersIntoTheHeader() {
        byte[] m = hex("000000000000000000000000 c004");
        assertThrows(MalformedDnsException.class, () -> DnsName.read(m, 12, DnsWire.HEADER_LENGTH));
    }

    @Test
    void acceptsAName255BytesLongThroughPointers() throws Exception {
        // 3 x 63-byte labels + 1 x 61-byte label = 4*1 + 250 + root = 255 bytes; split over a pointer.
        String a = "3f" + "61".repeat(63);
        byte[] m = hex(a + a + "3d" + "62".repeat(61) + "00" + a + "c000");
        int second = 64 + 64 + 62 + 1;
        assertEquals(255, DnsName.encode(DnsName.read(m, second).name()).length);
        byte[] tooLong = hex(a + a + "3e" + "62".repeat(62) + "00" + a + "c000");
        assertThrows(MalformedDnsException.class, () -> DnsName.read(tooLong, 64 + 64 + 63 + 1));
    }
}
