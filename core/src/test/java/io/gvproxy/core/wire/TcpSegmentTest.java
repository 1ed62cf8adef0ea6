package io.gvproxy.core.wire;

import io.gvproxy.core.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpSegmentTest {
    private static final int SRC = Ipv4.parse("192.168.127.2");
    private static final int DST = Ipv4.parse("93.184.216.34");

    private static TcpSegment writeAndWrap(MemorySegment seg, long off, int flags, TcpOptions opts, byte[] payload) {
        int hl = TcpSegment.headerLength(opts);
        MemorySegment.copy(payload, 0, seg, ValueLayout.JAVA_BYTE, off + hl, payload.length);
        long end = TcpSegment.write(seg, off, 40000, 443, 0xFEDCBA98, 0x01234567, flags, 29200, 7, opts, payload.length, SRC, DST);
        assertEquals(off + hl + payload.length, end);
        TcpSegment tcp = new TcpSegment();
        assertNull(tcp.wrap(seg, off, hl + payload.length));
        return tcp;
    }

    @Test
    void roundTripEveryFieldAndSynOptions() {
        MemorySegment seg = MemorySegment.ofArray(new byte[200]);
        TcpOptions opts = new TcpOptions().mss(1460).windowScale(7).sackPermitted(true).timestamps(0x11223344, 0x55667788);
        byte[] payload = {1, 2, 3, 4, 5};
        int allFlags = TcpSegment.NS | TcpSegment.CWR | TcpSegment.ECE | TcpSegment.URG | TcpSegment.ACK
                | TcpSegment.PSH | TcpSegment.RST | TcpSegment.SYN | TcpSegment.FIN;
        TcpSegment tcp = writeAndWrap(seg, 3, allFlags, opts, payload);
        assertEquals(40000, tcp.sourcePort());
        assertEquals(443, tcp.destinationPort());
        assertEquals(0xFEDCBA98, tcp.sequenceNumber());
        assertEquals(0x01234567, tcp.acknowledgmentNumber());
        assertEquals(40, tcp.headerLength());
        assertEquals(allFlags, tcp.flags());
        assertTrue(tcp.hasFlags(TcpSegment.SYN | TcpSegment.ACK));
        assertEquals(29200, tcp.window());
        assertEquals(7, tcp.urgentPointer());
        assertEquals(23, tcp.optionsOffset());
        assertEquals(43, tcp.payloadOffset());
        assertEquals(5, tcp.payloadLength());
        assertTrue(tcp.checksumValid(SRC, DST));
        assertFalse(tcp.checksumValid(SRC, DST ^ 1));
        TcpOptions read = tcp.readOptions(new TcpOptions());
        assertEquals(1460, read.mss());
        assertEquals(7, read.windowScale());
        assertTrue(read.sackPermitted());
        assertTrue(read.hasTimestamps());
        assertEquals(0x11223344, read.tsVal());
        assertEquals(0x55667788, read.tsEcr());
        assertEquals(0, read.sackBlockCount());

        TcpSegment plain = writeAndWrap(seg, 0, TcpSegment.ACK, null, new byte[0]);
        assertEquals(20, plain.headerLength());
        TcpOptions none = plain.readOptions(read);
        assertEquals(-1, none.mss());
        assertEquals(-1, none.windowScale());
        assertFalse(none.sackPermitted());
        assertFalse(none.hasTimestamps());
    }

    @Test
    void roundTripSackBlocks() {
        MemorySegment seg = MemorySegment.ofArray(new byte[200]);
        TcpOptions four = new TcpOptions();
        for (int i = 0; i < 4; i++) {
            four.addSackBlock(1000 * i, 1000 * i + 500);
        }
        assertThrows(IllegalStateException.class, () -> four.addSackBlock(1, 2));
        TcpOptions read = writeAndWrap(seg, 0, TcpSegment.ACK, four, new byte[3]).readOptions(new TcpOptions());
        assertEquals(4, read.sackBlockCount());
        for (int i = 0; i < 4; i++) {
            assertEquals(1000 * i, read.sackLeft(i));
            assertEquals(1000 * i + 500, read.sackRight(i));
        }
        TcpOptions withTs = new TcpOptions().timestamps(9, 8).addSackBlock(-5, -1).addSackBlock(7, 9).addSackBlock(10, 20);
        read = writeAndWrap(seg, 1, TcpSegment.ACK, withTs, new byte[0]).readOptions(read);
        assertEquals(3, read.sackBlockCount());
        assertEquals(-5, read.sackLeft(0));
        assertEquals(20, read.sackRight(2));
        assertEquals(9, read.tsVal());
        TcpOptions tooMuch = new TcpOptions().timestamps(1, 2).mss(1);
        for (int i = 0; i < 4; i++) {
            tooMuch.addSackBlock(i, i);
        }
        assertThrows(IllegalArgumentException.class,
                () -> TcpSegment.write(seg, 0, 1, 2, 0, 0, 0, 0, 0, tooMuch, 0, SRC, DST));
    }

    @Test
    void parsesRealLinuxSyn() {
        byte[] l4 = RealPackets.l4(RealPackets.TCP_SYN);
        TcpSegment tcp = new TcpSegment();
        assertNull(tcp.wrap(MemorySegment.ofArray(l4)));
        assertEquals(52474, tcp.sourcePort());
        assertEquals(51529, tcp.destinationPort());
        assertEquals(0x9828667B, tcp.sequenceNumber());
        assertEquals(0, tcp.acknowledgmentNumber());
        assertEquals(TcpSegment.SYN, tcp.flags());
        assertEquals(65495, tcp.window());
        assertEquals(40, tcp.headerLength());
        assertEquals(0, tcp.payloadLength());
        TcpOptions o = tcp.readOptions(new TcpOptions());
        assertEquals(65495, o.mss());
        assertTrue(o.sackPermitted());
        assertTrue(o.hasTimestamps());
        assertEquals(0xE5537DF7, o.tsVal());
        assertEquals(0, o.tsEcr());
        assertEquals(10, o.windowScale());
        int loopback = Ipv4.parse("127.0.0.1");
        assertEquals(Checksum.pseudoHeaderSum(loopback, loopback, IpProtocol.TCP, 40), tcp.checksum(),
                "loopback capture carries the offloaded partial checksum");
    }

    private static Malformed withOptions(String optionsHex) {
        byte[] opts = WireFuzz.hex(optionsHex);
        byte[] seg = new byte[20 + opts.length];
        seg[12] = (byte) (((20 + opts.length) / 4) << 4);
        System.arraycopy(opts, 0, seg, 20, opts.length);
        return new TcpSegment().wrap(MemorySegment.ofArray(seg));
    }

    @Test
    void optionEdgeCases() {
        assertNull(withOptions("1e04abcd"), "unknown kind skipped by its length");
        assertNull(withOptions("00ffffff"), "EOL ends the list; what follows is padding");
        assertNull(withOptions("01010101"));
        assertEquals(Malformed.BAD_OPTION_LENGTH, withOptions("1e01abcd"), "length below 2");
        assertEquals(Malformed.BAD_OPTION_LENGTH, withOptions("1e05abcd"), "runs past the header");
        assertEquals(Malformed.BAD_OPTION_LENGTH, withOptions("01010102"), "kind without a length byte");
        assertEquals(Malformed.BAD_OPTION_SIZE, withOptions("0205abcdef000000"), "MSS must be 4");
        assertEquals(Malformed.BAD_OPTION_SIZE, withOptions("030201 00"), "window scale must be 3");
        assertEquals(Malformed.BAD_OPTION_SIZE, withOptions("0403000000000000"), "SACK-permitted must be 2");
        assertEquals(Malformed.BAD_OPTION_SIZE, withOptions("050b0000000000000000000001"), "SACK not 2 + 8n");
        assertEquals(Malformed.BAD_OPTION_SIZE, withOptions("0502 0000"), "SACK without blocks");
        assertEquals(Malformed.BAD_OPTION_SIZE, withOptions("0809000000000000000000 00"), "timestamps must be 10");
        byte[] b = new byte[19];
        assertEquals(Malformed.TRUNCATED, new TcpSegment().wrap(MemorySegment.ofArray(b)));
        byte[] small = new byte[20];
        small[12] = 0x40;
        assertEquals(Malformed.BAD_HEADER_LENGTH, new TcpSegment().wrap(MemorySegment.ofArray(small)));
        small[12] = (byte) 0x60;
        assertEquals(Malformed.TRUNCATED, new TcpSegment().wrap(MemorySegment.ofArray(small)));
    }

    @ParameterizedTest
    @ValueSource(longs = {61L, 62L})
    void fuzz(long seed) {
        List<byte[]> samples = new ArrayList<>();
        samples.add(RealPackets.l4(RealPackets.TCP_SYN));
        Random rnd = new Random(seed);
        MemorySegment seg = MemorySegment.ofArray(new byte[80]);
        TcpOptions sack = new TcpOptions().timestamps(rnd.nextInt(), rnd.nextInt()).addSackBlock(rnd.nextInt(), rnd.nextInt());
        long end = TcpSegment.write(seg, 0, 1, 2, 3, 4, TcpSegment.ACK, 5, 0, sack, 0, SRC, DST);
        samples.add(seg.asSlice(0, end).toArray(ValueLayout.JAVA_BYTE));
        TcpOptions scratch = new TcpOptions();
        WireFuzz.run(seed, samples, new TcpSegment(), tcp -> {
            tcp.sourcePort();
            tcp.destinationPort();
            tcp.sequenceNumber();
            tcp.acknowledgmentNumber();
            tcp.flags();
            tcp.window();
            tcp.urgentPointer();
            tcp.checksumValid(SRC, DST);
            TcpOptions o = tcp.readOptions(scratch);
            assertTrue(o.sackBlockCount() <= TcpOptions.MAX_SACK_BLOCKS);
            assertTrue(o.mss() >= -1 && o.windowScale() >= -1);
            assertTrue(tcp.payloadLength() >= 0);
        });
    }
}
