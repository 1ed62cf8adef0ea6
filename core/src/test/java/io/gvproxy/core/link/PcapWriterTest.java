package io.gvproxy.core.link;

import org.junit.jupiter.api.Timeout;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PcapWriterTest {
    private static final Path TSHARK = Path.of("/usr/bin/tshark");

    @TempDir
    Path dir;

    record Rec(long sec, long usec, int inclLen, int origLen, byte[] data) {
    }

    /** Parses a little-endian classic pcap file, checking the global header. */
    static List<Rec> parse(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xA1B2C3D4, b.getInt(), "magic (microseconds)");
        assertEquals(2, b.getShort(), "major version");
        assertEquals(4, b.getShort(), "minor version");
        assertEquals(0, b.getInt(), "thiszone");
        assertEquals(0, b.getInt(), "sigfigs");
        assertEquals(262144, b.getInt(), "snaplen");
        assertEquals(1, b.getInt(), "LINKTYPE_ETHERNET");
        List<Rec> out = new ArrayList<>();
        while (b.hasRemaining()) {
            long sec = Integer.toUnsignedLong(b.getInt());
            long usec = Integer.toUnsignedLong(b.getInt());
            int incl = b.getInt();
            int orig = b.getInt();
            byte[] data = new byte[incl];
            b.get(data);
            out.add(new Rec(sec, usec, incl, orig, data));
        }
        return out;
    }

    @Test
    void headerAndRecords() throws IOException {
        Path file = dir.resolve("c.pcap");
        Files.writeString(file, "stale content that must disappear");
        long t0 = 1_700_000_000_123_456L;
        try (PcapWriter w = PcapWriter.create(file)) {
            w.write(Frames.segment(Frames.frame(60, 1)), t0);
            w.write(Frames.segment(Frames.frame(1514, 2)), t0 + 1_000_001);
            w.write(MemorySegment.ofArray(new byte[300_000]), t0 + 2_000_000);
            assertEquals(3, w.records());
        }
        List<Rec> recs = parse(file);
        assertEquals(3, recs.size());
        assertEquals(1_700_000_000L, recs.get(0).sec());
        assertEquals(123_456, recs.get(0).usec());
        assertEquals(60, recs.get(0).inclLen());
        assertEquals(60, recs.get(0).origLen());
        assertArrayEquals(Frames.frame(60, 1), recs.get(0).data());
        assertEquals(1_700_000_001L, recs.get(1).sec());
        assertEquals(123_457, recs.get(1).usec());
        assertArrayEquals(Frames.frame(1514, 2), recs.get(1).data());
        assertEquals(262144, recs.get(2).inclLen(), "cut at snaplen");
        assertEquals(300_000, recs.get(2).origLen());
    }

    @Test
    void manyRecordsCrossTheBufferAndUseTheClock() throws IOException {
        Path file = dir.resolve("many.pcap");
        Instant start = Instant.parse("2026-01-02T03:04:05.678901Z");
        long[] tick = {0};
        InstantSource clock = () -> start.plusNanos(1000 * tick[0]++);
        try (PcapWriter w = PcapWriter.create(file, clock, Duration.ofHours(1))) {
            for (int i = 0; i < 500; i++) {
                w.write(Frames.segment(Frames.frame(1000 + i, i)));
            }
        }
        List<Rec> recs = parse(file);
        assertEquals(500, recs.size());
        for (int i = 0; i < 500; i++) {
            assertArrayEquals(Frames.frame(1000 + i, i), recs.get(i).data(), "record " + i);
            long micros = recs.get(i).sec() * 1_000_000 + recs.get(i).usec();
            assertEquals(start.getEpochSecond() * 1_000_000 + 678_901 + i, micros);
        }
    }

    @Test
    void flushedPeriodicallyWhileOpen() throws Exception {
        Path file = dir.resolve("p.pcap");
        try (PcapWriter w = PcapWriter.create(file, InstantSource.system(), Duration.ofMillis(20))) {
            assertEquals(PcapWriter.GLOBAL_HEADER, Files.size(file), "header written at creation");
            w.write(Frames.segment(Frames.frame(100, 1)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (Files.size(file) < PcapWriter.GLOBAL_HEADER + PcapWriter.RECORD_HEADER + 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(PcapWriter.GLOBAL_HEADER + PcapWriter.RECORD_HEADER + 100, Files.size(file));
        }
    }

    @Test
    void writesAfterCloseAreDropped() throws IOException {
        Path file = dir.resolve("d.pcap");
        PcapWriter w = PcapWriter.create(file);
        w.close();
        w.write(Frames.segment(Frames.frame(60, 1)));
        assertEquals(1, w.droppedRecords());
        assertEquals(0, parse(file).size());
    }

    @Test
    void concurrentWritersProduceWholeRecords() throws Exception {
        Path file = dir.resolve("mt.pcap");
        try (PcapWriter w = PcapWriter.create(file)) {
            Thread[] ts = new Thread[4];
            for (int t = 0; t < ts.length; t++) {
                int id = t;
                ts[t] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 1000; i++) {
                        w.write(Frames.segment(Frames.frame(60 + id, i)));
                    }
                });
            }
            for (Thread t : ts) {
                t.join(10_000);
            }
        }
        List<Rec> recs = parse(file);
        assertEquals(4000, recs.size());
        for (Rec r : recs) {
            assertTrue(r.inclLen() >= 60 && r.inclLen() < 64);
        }
    }

    @Test
    void pcapLinkRecordsBothDirections() throws IOException {
        Path file = dir.resolve("link.pcap");
        FramePool pool = FramePool.forMtu(1500);
        MemoryLink[] pair = MemoryLink.pair(8, pool);
        try (PcapWriter w = PcapWriter.create(file)) {
            PcapLink captured = new PcapLink(pair[0], w);
            captured.send(Frames.segment(Frames.frame(60, 1)));
            pair[1].send(Frames.segment(Frames.frame(70, 2)));
            Frame into = pool.acquire();
            assertTrue(captured.receive(into));
            Frame[] batch = {pool.copyOf(Frames.segment(Frames.frame(80, 3))), pool.copyOf(Frames.segment(Frames.frame(90, 4)))};
            captured.send(batch, 2);
            batch[0].release();
            batch[1].release();
            assertTrue(pair[1].receive(into));
            assertArrayEquals(Frames.frame(60, 1), into.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            into.release();
            assertEquals("memory-a", captured.name());
            captured.close();
        }
        List<Rec> recs = parse(file);
        assertEquals(4, recs.size());
        assertArrayEquals(Frames.frame(60, 1), recs.get(0).data());
        assertArrayEquals(Frames.frame(70, 2), recs.get(1).data());
        assertArrayEquals(Frames.frame(80, 3), recs.get(2).data());
        assertArrayEquals(Frames.frame(90, 4), recs.get(3).data());
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> pair[1].send(Frames.segment(Frames.frame(60, 5))));
    }

    @Test
    void tsharkReadsTheFile() throws Exception {
        if (!Files.isExecutable(TSHARK)) {
            System.out.println("PcapWriterTest.tsharkReadsTheFile skipped: " + TSHARK + " is not installed");
        }
        Assumptions.assumeTrue(Files.isExecutable(TSHARK), TSHARK + " is not installed");
        Path file = dir.resolve("t.pcap");
        try (PcapWriter w = PcapWriter.create(file)) {
            byte[] f = Frames.frame(60, 1);
            Arrays.fill(f, 12, 14, (byte) 0x88); // EtherType 0x8888: an unassigned type, shown as raw data
            w.write(Frames.segment(f), 1_700_000_000_000_000L);
            w.write(Frames.segment(Frames.frame(1514, 2)), 1_700_000_000_500_000L);
            w.write(MemorySegment.ofArray(new byte[300_000]), 1_700_000_001_000_000L);
        }
        Path stderr = dir.resolve("tshark.err");
        Process p = new ProcessBuilder(TSHARK.toString(), "-r", file.toString(), "-T", "fields",
                "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch")
                .redirectError(stderr.toFile()).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tshark timed out");
            assertEquals(0, p.exitValue(), out + Files.readString(stderr));
            String[] lines = out.strip().split("\n");
            assertEquals(3, lines.length, out);
            assertTrue(lines[0].startsWith("60\t60\t1700000000.0"), lines[0]);
            assertTrue(lines[1].startsWith("1514\t1514\t1700000000.5"), lines[1]);
            assertTrue(lines[2].startsWith("300000\t262144\t1700000001.0"), lines[2]);
        } finally {
            p.destroyForcibly();
        }
    }
}
