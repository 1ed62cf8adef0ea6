package io.gvproxy.core.link;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class StreamFramingTest {
    @Test
    void qemuIsFourBytesBigEndian() {
        MemorySegment s = MemorySegment.ofArray(new byte[4]);
        StreamFraming.QEMU.writeLength(s, 0, 0x0102_0304);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, s.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0x0102_0304, StreamFraming.QEMU.readLength(s, 0));
        assertEquals(4, StreamFraming.QEMU.headerSize());
        assertEquals(131072, StreamFraming.QEMU.maxSendLength());
    }

    @Test
    void qemuLengthIsUnsigned() {
        MemorySegment s = MemorySegment.ofArray(new byte[] {(byte) 0xFF, 0, 0, 0});
        assertEquals(Integer.MAX_VALUE, StreamFraming.QEMU.readLength(s, 0));
    }

    @Test
    void hyperkitIsTwoBytesLittleEndian() {
        MemorySegment s = MemorySegment.ofArray(new byte[3]);
        StreamFraming.HYPERKIT.writeLength(s, 1, 0xFFFF);
        assertArrayEquals(new byte[] {0, (byte) 0xFF, (byte) 0xFF}, s.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0xFFFF, StreamFraming.HYPERKIT.readLength(s, 1));
        StreamFraming.HYPERKIT.writeLength(s, 0, 1514);
        assertArrayEquals(new byte[] {(byte) 0xEA, 0x05}, s.asSlice(0, 2).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(2, StreamFraming.HYPERKIT.headerSize());
        assertEquals(65535, StreamFraming.HYPERKIT.maxSendLength());
    }
}
