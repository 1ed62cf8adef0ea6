package io.gvproxy.core.link;

import io.gvproxy.core.net.MacAddress;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The VPNKit/HyperKit connection handshake (layouts from HyperKit's {@code pci_virtio_net_vpnkit.c}); after it,
 * the connection carries frames with {@link StreamFraming#HYPERKIT} framing.
 *
 * <ol>
 *   <li>The client sends {@code msg_init} ({@value #INIT_LENGTH} bytes: {@code "VMN3T"}, u32 LE version,
 *       40-byte commit); the server echoes it unchanged.</li>
 *   <li>The client sends {@code msg_command} ({@value #COMMAND_LENGTH} bytes: command byte, then the 36-byte
 *       UUID string and, for command 8, a preferred IPv4 that is ignored).</li>
 *   <li>The server replies {@code msg_response} ({@value #RESPONSE_LENGTH} bytes): {@code 0x01}, MTU u16 LE,
 *       max packet size (MTU + 14) u16 LE, the 6-byte MAC, zeros.</li>
 * </ol>
 */
public final class VpnkitHandshake {
    public static final int INIT_LENGTH = 49;
    public static final int COMMAND_LENGTH = 41;
    public static final int RESPONSE_LENGTH = 258;
    public static final int UUID_LENGTH = 36;
    /** The version HyperKit sends in {@code msg_init}. */
    public static final int CLIENT_VERSION = 22;
    public static final byte COMMAND_ETHERNET = 1;
    public static final byte RESPONSE_VIF = 1;
    /** Ethernet header bytes that the max packet size adds to the MTU. */
    public static final int ETHERNET_HEADER = 14;

    /** Upstream's default {@code VpnKitUUIDMacAddresses} entry. */
    public static final String DEFAULT_UUID = "c3d68012-0208-11ea-9fd7-f2189899ab08";
    public static final MacAddress DEFAULT_MAC = MacAddress.parse("5a:94:ef:e4:0c:ee");
    public static final Map<String, MacAddress> DEFAULT_UUID_MACS = Map.of(DEFAULT_UUID, DEFAULT_MAC);

    private static final byte[] MAGIC = "VMN3T".getBytes(StandardCharsets.US_ASCII);

    private VpnkitHandshake() {
    }

    /** What the server told the client. */
    public record Response(int mtu, int maxPacketSize, MacAddress mac) {
    }

    /** The handshake could not complete: bad magic, short read, or an unexpected response. */
    public static final class HandshakeException extends IOException {
        public HandshakeException(String message) {
            super(message);
        }
    }

    /**
     * The server side: answers one client on a connected blocking channel and returns the MAC handed out.
     *
     * <p>A {@code msg_init} without the {@code "VMN3T"} magic throws {@link HandshakeException} before anything
     * is echoed. Upstream does not check the magic and attaches the connection whatever the handshake did;
     * here the caller sees the reason and decides (log and close, or log and attach with HyperKit framing).
     *
     * @param uuidToMac MACs of known VM UUIDs; any other UUID gets {@link MacAddress#randomLocal}
     * @throws IllegalArgumentException if {@code mtu + 14} does not fit 16 bits
     * @throws EOFException if the client goes away mid-handshake
     */
    public static MacAddress accept(ByteChannel ch, Map<String, MacAddress> uuidToMac, int mtu, RandomGenerator rnd)
            throws IOException {
        if (mtu < 0 || mtu + ETHERNET_HEADER > 0xFFFF) {
            throw new IllegalArgumentException("MTU " + mtu + " cannot be announced in 16 bits");
        }
        ByteBuffer init = readExactly(ch, INIT_LENGTH);
        if (!Arrays.equals(init.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new HandshakeException("vpnkit handshake: bad magic "
                    + printable(init.array(), MAGIC.length) + ", expected VMN3T");
        }
        writeFully(ch, init.flip());

        ByteBuffer command = readExactly(ch, COMMAND_LENGTH);
        // Like upstream: the command type is ignored and the UUID is taken as raw bytes.
        String uuid = new String(command.array(), 1, UUID_LENGTH, StandardCharsets.ISO_8859_1);
        MacAddress mac = uuidToMac.get(uuid);
        if (mac == null) {
            mac = MacAddress.randomLocal(rnd);
        }

        ByteBuffer response = ByteBuffer.allocate(RESPONSE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        response.put(0, RESPONSE_VIF);
        response.putShort(1, (short) mtu);
        response.putShort(3, (short) (mtu + ETHERNET_HEADER));
        response.put(5, mac.toBytes());
        writeFully(ch, response);
        return mac;
    }

    /**
     * The client side, as HyperKit runs it: sends {@code msg_init} (version {@value #CLIENT_VERSION}), checks
     * the echo, asks for an Ethernet interface for {@code uuid} and returns the server's answer.
     */
    public static Response connect(ByteChannel ch, String uuid) throws IOException {
        byte[] uuidBytes = uuid.getBytes(StandardCharsets.ISO_8859_1);
        if (uuidBytes.length != UUID_LENGTH) {
            throw new IllegalArgumentException("UUID must be " + UUID_LENGTH + " characters: " + uuid);
        }
        ByteBuffer init = ByteBuffer.allocate(INIT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        init.put(MAGIC).putInt(CLIENT_VERSION);
        byte[] commit = "gvproxy-java-vpnkit-client".getBytes(StandardCharsets.US_ASCII);
        init.put(commit);
        byte[] sent = init.array().clone();
        writeFully(ch, init.clear());

        ByteBuffer echo = readExactly(ch, INIT_LENGTH);
        if (!Arrays.equals(echo.array(), sent)) {
            throw new HandshakeException("vpnkit handshake: server did not echo msg_init");
        }

        ByteBuffer command = ByteBuffer.allocate(COMMAND_LENGTH);
        command.put(COMMAND_ETHERNET).put(uuidBytes);
        writeFully(ch, command.clear());

        ByteBuffer response = readExactly(ch, RESPONSE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        if (response.get(0) != RESPONSE_VIF) {
            throw new HandshakeException("vpnkit handshake: response type " + (response.get(0) & 0xFF) + ", expected 1");
        }
        int mtu = Short.toUnsignedInt(response.getShort(1));
        int maxPacket = Short.toUnsignedInt(response.getShort(3));
        return new Response(mtu, maxPacket, MacAddress.fromBytes(response.array(), 5));
    }

    private static ByteBuffer readExactly(ByteChannel ch, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new EOFException("vpnkit handshake: connection closed after " + buf.position() + " of " + n + " bytes");
            }
        }
        return buf;
    }

    private static void writeFully(ByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static String printable(byte[] b, int n) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.append('"').toString();
    }
}
