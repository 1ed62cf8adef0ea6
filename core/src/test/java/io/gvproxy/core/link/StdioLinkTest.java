package io.gvproxy.core.link;

import org.junit.jupiter.api.Timeout;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StdioLinkTest {
    /** Process.getOutputStream() is buffered; each frame must reach the child at once. */
    private static WritableByteChannel flushing(OutputStream out) {
        WritableByteChannel ch = Channels.newChannel(out);
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                int n = ch.write(src);
                out.flush();
                return n;
            }

            @Override
            public boolean isOpen() {
                return ch.isOpen();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Test
    void childEchoesHyperkitFramesOverItsStdio() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                StdioEcho.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        // A hung child would block this test's reads forever: killing it turns them into end of stream.
        CompletableFuture.delayedExecutor(60, TimeUnit.SECONDS).execute(child::destroyForcibly);
        try {
            Counters counters = new Counters();
            StreamLink vm = new StreamLink("vm", Channels.newChannel(child.getInputStream()),
                    flushing(child.getOutputStream()), StreamFraming.HYPERKIT, counters);
            FramePool pool = new FramePool(0xFFFF, 2);
            Frame into = pool.acquire();
            int[] sizes = {14, 60, 1514, 9000, 65535};
            for (int i = 0; i < sizes.length; i++) {
                vm.send(Frames.segment(Frames.frame(sizes[i], i)));
                assertTrue(vm.receive(into), "echo of frame " + i);
                assertArrayEquals(Frames.frame(sizes[i], i), into.data().toArray(ValueLayout.JAVA_BYTE));
            }
            child.getOutputStream().close();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not exit at end of input");
            assertEquals(0, child.exitValue());
            into.release();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void closeWakesAReceiveBlockedOnStdin() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                StdioEcho.class.getName(), "close")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            // stdin stays open and silent: only close() can end the child's receive.
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the blocked receive was not woken");
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
    }
}
