package io.gvproxy.core.link;

import org.junit.jupiter.api.Timeout;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VpnkitHandshakeTest {
    private static final String OTHER_UUID = "0e2a4f9c-1111-4222-8333-944455556666";

    private static byte[] msgInit(String magic, int version, String commit) {
        byte[] b = new byte[49];
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(m, 0, b, 0, m.length);
        b[5] = (byte) version;
        b[6] = (byte) (version >>> 8);
        b[7] = (byte) (version >>> 16);
        b[8] = (byte) (version >>> 24);
        byte[] c = commit.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(c, 0, b, 9, Math.min(40, c.length));
        return b;
    }

    private static byte[] msgCommand(int command, String uuid) {
        byte[] b = new byte[41];
        b[0] = (byte) command;
        byte[] u = uuid.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(u, 0, b, 1, u.length);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    @Test
    void serverEchoesInitAndAnswersKnownUuid() throws IOException {
        byte[] init = msgInit("VMN3T", 22, "0123456789abcdef0123456789abcdef01234567");
        byte[] command = msgCommand(1, VpnkitHandshake.DEFAULT_UUID);
        // Arriving 3 bytes at a time: the server must read exactly, not assume whole messages.
        ScriptedChannel ch = new ScriptedChannel(concat(init, command), () -> 3, Integer.MAX_VALUE);
        MacAddress mac = VpnkitHandshake.accept(ch, VpnkitHandshake.DEFAULT_UUID_MACS, 1500, new Random(1));
        assertEquals(MacAddress.parse("5a:94:ef:e4:0c:ee"), mac);

        byte[] out = ch.written();
        assertEquals(49 + 258, out.length);
        assertArrayEquals(init, Arrays.copyOfRange(out, 0, 49), "msg_init echoed unchanged");
        byte[] resp = Arrays.copyOfRange(out, 49, 49 + 258);
        assertEquals(0x01, resp[0]);
        assertEquals(1500, (resp[1] & 0xFF) | (resp[2] & 0xFF) << 8);
        assertEquals(1514, (resp[3] & 0xFF) | (resp[4] & 0xFF) << 8);
        assertArrayEquals(new byte[] {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xee}, Arrays.copyOfRange(resp, 5, 11));
        for (int i = 11; i < 258; i++) {
            assertEquals(0, resp[i], "byte " + i + " of msg_response");
        }
    }

    @Test
    void preferredIpv4CommandIsTreatedLikeEthernet() throws IOException {
        byte[] command = msgCommand(8, VpnkitHandshake.DEFAULT_UUID);
        command[37] = (byte) 192;
        command[38] = (byte) 168;
        ScriptedChannel ch = ScriptedChannel.of(concat(msgInit("VMN3T", 22, ""), command));
        assertEquals(VpnkitHandshake.DEFAULT_MAC, VpnkitHandshake.accept(ch, VpnkitHandshake.DEFAULT_UUID_MACS, 9000, new Random(1)));
        byte[] resp = Arrays.copyOfRange(ch.written(), 49, 49 + 258);
        assertEquals(9000, (resp[1] & 0xFF) | (resp[2] & 0xFF) << 8);
        assertEquals(9014, (resp[3] & 0xFF) | (resp[4] & 0xFF) << 8);
    }

    @Test
    void unknownUuidGetsARandomLocalUnicastMac() throws IOException {
        for (int seed = 0; seed < 50; seed++) {
            ScriptedChannel ch = ScriptedChannel.of(concat(msgInit("VMN3T", 22, ""), msgCommand(1, OTHER_UUID)));
            MacAddress mac = VpnkitHandshake.accept(ch, VpnkitHandshake.DEFAULT_UUID_MACS, 1500, new Random(seed));
            assertNotEquals(VpnkitHandshake.DEFAULT_MAC, mac);
            assertFalse(mac.isMulticast(), "seed " + seed + ": " + mac);
            assertTrue((mac.bits() & 0x0200_0000_0000L) != 0, "seed " + seed + ": not locally administered " + mac);
            assertArrayEquals(mac.toBytes(), Arrays.copyOfRange(ch.written(), 49 + 5, 49 + 11));
        }
    }

    @Test
    void badMagicIsRejectedWithoutAnEcho() {
        ScriptedChannel ch = ScriptedChannel.of(concat(msgInit("XMN3T", 22, ""), msgCommand(1, OTHER_UUID)));
        IOException e = assertThrows(VpnkitHandshake.HandshakeException.class,
                () -> VpnkitHandshake.accept(ch, Map.of(), 1500, new Random(1)));
        assertTrue(e.getMessage().contains("XMN3T"), e.getMessage());
        assertEquals(0, ch.written().length);
    }

    @Test
    void clientLeavingMidHandshakeIsEof() {
        ScriptedChannel ch = ScriptedChannel.of(concat(msgInit("VMN3T", 22, ""), new byte[20]));
        assertThrows(EOFException.class, () -> VpnkitHandshake.accept(ch, Map.of(), 1500, new Random(1)));
        assertEquals(49, ch.written().length, "msg_init was echoed before the command was cut short");
    }

    @Test
    void mtuMustFitSixteenBits() {
        ScriptedChannel ch = ScriptedChannel.of(new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> VpnkitHandshake.accept(ch, Map.of(), 65522, new Random(1)));
    }

    @Test
    void clientSendsHyperkitMessages() throws IOException {
        byte[] response = new byte[258];
        response[0] = 1;
        response[1] = (byte) 0xDC;
        response[2] = 0x05;
        response[3] = (byte) 0xEA;
        response[4] = 0x05;
        byte[] mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
        System.arraycopy(mac, 0, response, 5, 6);
        // The scripted peer must echo what the client sends, so first learn the client's msg_init.
        ScriptedChannel probe = ScriptedChannel.of(new byte[0]);
        assertThrows(EOFException.class, () -> VpnkitHandshake.connect(probe, OTHER_UUID));
        byte[] init = probe.written();
        assertEquals(49, init.length);
        assertArrayEquals("VMN3T".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(init, 5));
        assertEquals(22, init[5]);

        ScriptedChannel ch = ScriptedChannel.of(concat(init, response));
        VpnkitHandshake.Response r = VpnkitHandshake.connect(ch, OTHER_UUID);
        assertEquals(new VpnkitHandshake.Response(1500, 1514, MacAddress.fromBytes(mac, 0)), r);
        byte[] out = ch.written();
        assertEquals(49 + 41, out.length);
        assertArrayEquals(msgCommand(1, OTHER_UUID), Arrays.copyOfRange(out, 49, 90));
    }

    @Test
    void clientRejectsAWrongEcho() {
        byte[] wrong = msgInit("VMN3T", 23, "");
        ScriptedChannel ch = ScriptedChannel.of(concat(wrong, new byte[258]));
        assertThrows(VpnkitHandshake.HandshakeException.class, () -> VpnkitHandshake.connect(ch, OTHER_UUID));
    }

    @Test
    void clientAndServerOverASocketThenHyperkitFrames() throws Exception {
        try (UnixSocketPair sp = UnixSocketPair.open()) {
            CompletableFuture<MacAddress> server = CompletableFuture.supplyAsync(() -> {
                try {
                    return VpnkitHandshake.accept(sp.server(), VpnkitHandshake.DEFAULT_UUID_MACS, 1500, new Random(3));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            VpnkitHandshake.Response r = VpnkitHandshake.connect(sp.client(), VpnkitHandshake.DEFAULT_UUID);
            assertEquals(VpnkitHandshake.DEFAULT_MAC, server.get(5, TimeUnit.SECONDS));
            assertEquals(new VpnkitHandshake.Response(1500, 1514, VpnkitHandshake.DEFAULT_MAC), r);

            Counters counters = new Counters();
            StreamLink guest = StreamLink.of("guest", sp.client(), StreamFraming.HYPERKIT, counters);
            StreamLink host = StreamLink.of("host", sp.server(), StreamFraming.HYPERKIT, counters);
            FramePool pool = FramePool.forMtu(1500);
            Frame into = pool.acquire();
            byte[] f = Frames.frame(1514, 9);
            guest.send(Frames.segment(f));
            assertTrue(host.receive(into));
            assertArrayEquals(f, into.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            into.release();
        }
    }
}
