package io.gvproxy.core.link;

import org.junit.jupiter.api.Timeout;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

// Every test blocks on sockets or threads somewhere: bound them so a hang fails instead of stalling the build.
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamLinkTest {
    private final Counters counters = new Counters();
    private final FramePool bigPool = new FramePool(StreamFraming.MAX_RECEIVE_LENGTH, 4);

    private StreamLink reader(byte[] stream, StreamFraming framing) {
        ScriptedChannel ch = ScriptedChannel.of(stream);
        return new StreamLink("t", ch, ch, framing, counters);
    }

    private static byte[] received(Frame f) {
        return f.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @ParameterizedTest
    @EnumSource(StreamFraming.class)
    void roundTripOverUnixSockets(StreamFraming framing) throws Exception {
        int[] sizes = framing == StreamFraming.QEMU
                ? new int[] {14, 60, 1514, 9000, 65535, 65536, StreamFraming.MAX_RECEIVE_LENGTH}
                : new int[] {14, 60, 1514, 9000, 65535};
        try (UnixSocketPair sp = UnixSocketPair.open()) {
            StreamLink a = StreamLink.of("a", sp.client(), framing, counters);
            StreamLink b = StreamLink.of("b", sp.server(), framing, counters);
            // The sender runs concurrently: large frames exceed the socket buffer.
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < sizes.length; i++) {
                        a.send(Frames.segment(Frames.frame(sizes[i], i)));
                    }
                    Frame[] batch = new Frame[sizes.length];
                    for (int i = 0; i < sizes.length; i++) {
                        batch[i] = bigPool.copyOf(Frames.segment(Frames.frame(sizes[i], 100 + i)));
                    }
                    a.send(batch, batch.length);
                    for (Frame f : batch) {
                        f.release();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Frame into = bigPool.acquire();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < sizes.length; i++) {
                    assertTrue(b.receive(into));
                    assertArrayEquals(Frames.frame(sizes[i], round * 100 + i), received(into), "frame " + i + " round " + round);
                }
            }
            sending.get(10, TimeUnit.SECONDS);
            long total = 2L * java.util.Arrays.stream(sizes).asLongStream().sum();
            assertEquals(2L * sizes.length, counters.get("link.a.frames_out"));
            assertEquals(total, counters.get("link.a.bytes_out"));
            assertEquals(2L * sizes.length, counters.get("link.b.frames_in"));
            assertEquals(total, counters.get("link.b.bytes_in"));
            a.close();
            assertFalse(b.receive(into), "EOF after the peer closed");
            into.release();
        }
    }

    @Test
    void roundTripOverPipes() throws Exception {
        Pipe toB = Pipe.open();
        Pipe toA = Pipe.open();
        StreamLink a = new StreamLink("a", toA.source(), toB.sink(), StreamFraming.HYPERKIT, counters);
        StreamLink b = new StreamLink("b", toB.source(), toA.sink(), StreamFraming.HYPERKIT, counters);
        Frame into = bigPool.acquire();
        a.send(Frames.segment(Frames.frame(100, 1)));
        assertTrue(b.receive(into));
        assertArrayEquals(Frames.frame(100, 1), received(into));
        b.send(Frames.segment(Frames.frame(1500, 2)));
        assertTrue(a.receive(into));
        assertArrayEquals(Frames.frame(1500, 2), received(into));
        a.close();
        b.close();
        into.release();
    }

    @ParameterizedTest
    @EnumSource(StreamFraming.class)
    void shortFramesAreSkippedAndCounted(StreamFraming framing) throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        Frames.append(s, framing, Frames.frame(13, 1));
        Frames.append(s, framing, new byte[0]);
        Frames.append(s, framing, Frames.frame(14, 2));
        StreamLink link = reader(s.toByteArray(), framing);
        Frame into = bigPool.acquire();
        assertTrue(link.receive(into));
        assertArrayEquals(Frames.frame(14, 2), received(into));
        assertFalse(link.receive(into));
        assertEquals(2, counters.get("link.t.frames_too_small"));
        assertEquals(1, counters.get("link.t.frames_in"));
        assertEquals(0, counters.get("link.t.truncated_at_eof"));
        into.release();
    }

    @Test
    void hyperkitCarries65535AndRefusesToSend65536() throws IOException {
        ScriptedChannel out = ScriptedChannel.sink(Integer.MAX_VALUE);
        StreamLink sender = new StreamLink("t", out, out, StreamFraming.HYPERKIT, counters);
        sender.send(Frames.segment(Frames.frame(65535, 1)));
        sender.send(Frames.segment(Frames.frame(65536, 2)));
        sender.send(Frames.segment(Frames.frame(60, 3)));
        assertEquals(1, counters.get("link.t.send_too_large"));
        assertEquals(2, counters.get("link.t.frames_out"));
        byte[] wire = out.written();
        assertEquals(2 + 65535 + 2 + 60, wire.length);
        assertEquals(0xFF, wire[0] & 0xFF);
        assertEquals(0xFF, wire[1] & 0xFF);

        StreamLink receiver = reader(wire, StreamFraming.HYPERKIT);
        Frame into = bigPool.acquire();
        assertTrue(receiver.receive(into));
        assertArrayEquals(Frames.frame(65535, 1), received(into));
        assertTrue(receiver.receive(into));
        assertArrayEquals(Frames.frame(60, 3), received(into));
        assertFalse(receiver.receive(into));
        into.release();
    }

    @Test
    void qemuAccepts128KiBAndRejectsOneMore() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        Frames.append(s, StreamFraming.QEMU, Frames.frame(131072, 1));
        Frames.append(s, StreamFraming.QEMU, 131073, Frames.frame(131073, 2));
        StreamLink link = reader(s.toByteArray(), StreamFraming.QEMU);
        Frame into = bigPool.acquire();
        assertTrue(link.receive(into));
        assertEquals(131072, into.length());
        assertArrayEquals(Frames.frame(131072, 1), received(into));
        IOException e = assertThrows(IOException.class, () -> link.receive(into));
        assertTrue(e.getMessage().contains("131073"), e.getMessage());
        assertEquals(1, counters.get("link.t.length_invalid"));
        into.release();
    }

    @Test
    void qemuLengthWithTopBitIsInvalid() {
        byte[] stream = {(byte) 0x80, 0, 0, 20, 1, 2, 3};
        StreamLink link = reader(stream, StreamFraming.QEMU);
        Frame into = bigPool.acquire();
        assertThrows(IOException.class, () -> link.receive(into));
        assertEquals(1, counters.get("link.t.length_invalid"));
        into.release();
    }

    @Test
    void qemuSenderSkipsFramesOver128KiB() throws IOException {
        ScriptedChannel out = ScriptedChannel.sink(Integer.MAX_VALUE);
        StreamLink sender = new StreamLink("t", out, out, StreamFraming.QEMU, counters);
        sender.send(Frames.segment(new byte[131073]));
        assertEquals(0, out.written().length);
        assertEquals(1, counters.get("link.t.send_too_large"));
    }

    @ParameterizedTest
    @EnumSource(StreamFraming.class)
    void frameLargerThanCapacityIsDiscardedAndTheNextParses(StreamFraming framing) throws IOException {
        FramePool small = FramePool.forMtu(1500);
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        Frames.append(s, framing, Frames.frame(small.frameCapacity() + 1, 1));
        Frames.append(s, framing, Frames.frame(small.frameCapacity(), 2));
        Frames.append(s, framing, Frames.frame(60000, 3));
        Frames.append(s, framing, Frames.frame(64, 4));
        StreamLink link = reader(s.toByteArray(), framing);
        Frame into = small.acquire();
        assertTrue(link.receive(into));
        assertArrayEquals(Frames.frame(small.frameCapacity(), 2), received(into));
        assertTrue(link.receive(into));
        assertArrayEquals(Frames.frame(64, 4), received(into));
        assertFalse(link.receive(into));
        assertEquals(2, counters.get("link.t.frames_too_large"));
        into.release();
    }

    @ParameterizedTest
    @EnumSource(StreamFraming.class)
    void bytesArrivingOneAtATime(StreamFraming framing) throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] f = Frames.frame(14 + i * 97, i);
            frames.add(f);
            Frames.append(s, framing, f);
        }
        byte[] stream = s.toByteArray();
        ScriptedChannel ch = new ScriptedChannel(stream, () -> 1, Integer.MAX_VALUE);
        StreamLink link = new StreamLink("t", ch, ch, framing, counters);
        Frame into = bigPool.acquire();
        for (byte[] f : frames) {
            assertTrue(link.receive(into));
            assertArrayEquals(f, received(into));
        }
        assertFalse(link.receive(into));
        assertEquals(stream.length + 1, ch.reads(), "one read per byte, plus the one that saw EOF");
        into.release();
    }

    @Test
    void bufferedFramesAreParsedWithoutFurtherReads() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            Frames.append(s, StreamFraming.QEMU, Frames.frame(60, i));
        }
        ScriptedChannel ch = ScriptedChannel.of(s.toByteArray());
        StreamLink link = new StreamLink("t", ch, ch, StreamFraming.QEMU, counters);
        Frame into = bigPool.acquire();
        for (int i = 0; i < 100; i++) {
            assertTrue(link.receive(into));
        }
        assertEquals(1, ch.reads());
        into.release();
    }

    @Test
    void longStreamWrapsTheReceiveBuffer() throws IOException {
        // 3000 frames of 1000 bytes pass the 256 KiB buffer several times, in odd read sizes.
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (int i = 0; i < 3000; i++) {
            Frames.append(s, StreamFraming.HYPERKIT, Frames.frame(1000, i));
        }
        java.util.Random r = new java.util.Random(7);
        ScriptedChannel ch = new ScriptedChannel(s.toByteArray(), () -> 1 + r.nextInt(70000), Integer.MAX_VALUE);
        StreamLink link = new StreamLink("t", ch, ch, StreamFraming.HYPERKIT, counters);
        Frame into = bigPool.acquire();
        for (int i = 0; i < 3000; i++) {
            assertTrue(link.receive(into));
            assertArrayEquals(Frames.frame(1000, i), received(into), "frame " + i);
        }
        assertFalse(link.receive(into));
        into.release();
    }

    @Test
    void streamEndingInsideAFrameIsCountedAsTruncated() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        Frames.append(s, StreamFraming.HYPERKIT, Frames.frame(100, 1));
        byte[] whole = s.toByteArray();
        StreamLink link = reader(java.util.Arrays.copyOf(whole, 50), StreamFraming.HYPERKIT);
        Frame into = bigPool.acquire();
        assertFalse(link.receive(into));
        assertEquals(1, counters.get("link.t.truncated_at_eof"));
        into.release();
    }

    @Test
    void sendLoopsOverPartialWrites() throws IOException {
        ScriptedChannel out = ScriptedChannel.sink(7);
        StreamLink link = new StreamLink("t", out, out, StreamFraming.QEMU, counters);
        byte[] f = Frames.frame(1000, 1);
        link.send(Frames.segment(f));
        byte[] wire = out.written();
        assertEquals(1004, wire.length);
        assertEquals(0, wire[0]);
        assertEquals(0, wire[1]);
        assertEquals(0x03, wire[2]);
        assertEquals((byte) 0xE8, wire[3]);
        assertArrayEquals(f, java.util.Arrays.copyOfRange(wire, 4, 1004));
        assertEquals((1004 + 6) / 7, out.writes());
    }

    @Test
    void singleSendIsOneWrite() throws IOException {
        ScriptedChannel out = ScriptedChannel.sink(Integer.MAX_VALUE);
        StreamLink link = new StreamLink("t", out, out, StreamFraming.HYPERKIT, counters);
        link.send(Frames.segment(Frames.frame(1514, 1)));
        assertEquals(1, out.writes());
        assertEquals(1514, (out.written()[0] & 0xFF) | (out.written()[1] & 0xFF) << 8);
    }

    @Test
    void batchSendPacksFramesIntoFewWrites() throws IOException {
        ScriptedChannel out = ScriptedChannel.sink(Integer.MAX_VALUE);
        StreamLink link = new StreamLink("t", out, out, StreamFraming.HYPERKIT, counters);
        Frame[] batch = new Frame[40];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = bigPool.copyOf(Frames.segment(Frames.frame(i == 5 ? 65536 : 9000, i)));
        }
        link.send(batch, batch.length);
        // 39 frames of 9002 bytes: 29 fit in 256 KiB, so two writes; the 65536-byte one is skipped.
        assertEquals(2, out.writes());
        assertEquals(1, counters.get("link.t.send_too_large"));
        assertEquals(39, counters.get("link.t.frames_out"));
        StreamLink back = reader(out.written(), StreamFraming.HYPERKIT);
        Frame into = bigPool.acquire();
        for (int i = 0; i < batch.length; i++) {
            if (i == 5) {
                continue;
            }
            assertTrue(back.receive(into));
            assertArrayEquals(Frames.frame(9000, i), received(into));
            batch[i].release();
        }
        batch[5].release();
        assertFalse(back.receive(into));
        into.release();
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        try (UnixSocketPair sp = UnixSocketPair.open()) {
            StreamLink link = StreamLink.of("t", sp.server(), StreamFraming.QEMU, counters);
            Frame into = bigPool.acquire();
            CompletableFuture<Boolean> r = CompletableFuture.supplyAsync(() -> {
                try {
                    return link.receive(into);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            assertFalse(r.isDone(), "receive should block with no data");
            link.close();
            assertFalse(r.get(5, TimeUnit.SECONDS));
            assertFalse(link.receive(into), "receive after close");
            assertThrows(IOException.class, () -> link.send(Frames.segment(Frames.frame(60, 1))));
            into.release();
        }
    }

    @Test
    void nonBlockingChannelIsRejected() throws IOException {
        try (UnixSocketPair sp = UnixSocketPair.open()) {
            sp.server().configureBlocking(false);
            assertThrows(IllegalArgumentException.class,
                    () -> StreamLink.of("t", sp.server(), StreamFraming.QEMU, counters));
        }
    }

    @Test
    void sendAndReceiveRunAtOnceOnBothEnds() throws Exception {
        int n = 3000;
        try (UnixSocketPair sp = UnixSocketPair.open()) {
            StreamLink a = StreamLink.of("a", sp.client(), StreamFraming.QEMU, counters);
            StreamLink b = StreamLink.of("b", sp.server(), StreamFraming.QEMU, counters);
            // b echoes in batches of up to 8 while a keeps sending: both ends send and receive concurrently.
            // Own threads: the common pool has one worker on two cores, and these tasks block on each other.
            ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory());
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                Frame[] batch = new Frame[8];
                try {
                    int done = 0;
                    while (done < n) {
                        int k = 0;
                        while (k < batch.length && done + k < n) {
                            batch[k] = bigPool.acquire();
                            if (!b.receive(batch[k])) {
                                throw new IOException("early EOF");
                            }
                            k++;
                        }
                        b.send(batch, k);
                        for (int i = 0; i < k; i++) {
                            batch[i].release();
                        }
                        done += k;
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        a.send(Frames.segment(Frames.frame(60 + (i * 37) % 9000, i)));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            Frame into = bigPool.acquire();
            for (int i = 0; i < n; i++) {
                assertTrue(a.receive(into), "echo " + i);
                assertArrayEquals(Frames.frame(60 + (i * 37) % 9000, i), received(into), "echo " + i);
            }
            send.get(30, TimeUnit.SECONDS);
            echo.get(30, TimeUnit.SECONDS);
            threads.shutdown();
            into.release();
        }
    }

    @Test
    void noBufferSpaceIsRetriedOtherErrorsAreThrown() throws IOException {
        ScriptedChannel sink = ScriptedChannel.sink(Integer.MAX_VALUE);
        int[] failuresLeft = {3};
        String[] message = {StreamLink.NO_BUFFER_SPACE};
        java.nio.channels.WritableByteChannel flaky = new java.nio.channels.WritableByteChannel() {
            @Override
            public int write(java.nio.ByteBuffer src) throws IOException {
                if (failuresLeft[0]-- > 0) {
                    throw new IOException(message[0]);
                }
                return sink.write(src);
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        StreamLink link = new StreamLink("t", sink, flaky, StreamFraming.HYPERKIT, counters);
        link.send(Frames.segment(Frames.frame(60, 1)));
        assertEquals(62, sink.written().length);
        assertEquals(3, counters.get("link.t.send_enobufs_retries"));
        failuresLeft[0] = 1;
        message[0] = "Broken pipe";
        IOException e = assertThrows(IOException.class, () -> link.send(Frames.segment(Frames.frame(60, 2))));
        assertEquals("Broken pipe", e.getMessage());
    }
}
