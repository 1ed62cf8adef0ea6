package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.MemoryLink;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** -debug (upstream's stack.debug) logs a summary line per frame in each direction, at info level. */
@Timeout(30)
class FrameLoggingTest {
    private static String exchangeArp(String... flags) throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.INFO, Clock.systemUTC());
        FramePool pool = FramePool.forMtu(1500);
        MemoryLink[] pair = MemoryLink.pair(8, pool);
        try (NetworkStackHandler handler = NetworkStackHandler.create(Options.of(flags), log)) {
            Thread vm = Thread.ofPlatform().start(() -> {
                try {
                    handler.bess(pair[0], "test peer");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            pair[1].send(MemorySegment.ofArray(ArpFrames.requestForGateway()));
            Frame reply = pool.acquire();
            try {
                assertTrue(pair[1].receive(reply));
                assertEquals(ArpFrames.LENGTH, reply.length());
            } finally {
                reply.release();
            }
            pair[1].close();
            vm.join(10_000);
        }
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void debugLogsEachFrame() throws Exception {
        String text = exchangeArp("-debug");
        assertTrue(text.contains(" rx 42 " + ArpFrames.GUEST_MAC_TEXT
                + " > ff:ff:ff:ff:ff:ff ARP request 192.168.127.2 > 192.168.127.1\""), text);
        assertTrue(text.contains(" tx 42 5a:94:ef:e4:0c:dd > " + ArpFrames.GUEST_MAC_TEXT
                + " ARP reply 192.168.127.1 > 192.168.127.2\""), text);
    }

    @Test
    void withoutDebugNoFrameLines() throws Exception {
        String text = exchangeArp();
        assertTrue(text.lines().noneMatch(l -> l.contains(" ARP ")), text);
    }
}
