package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;

/**
 * Child process for {@link StdioLinkTest}: echoes every frame from stdin to stdout until end of input; with the
 * argument {@code close}, instead closes the link while a thread is blocked receiving and exits 0 if that
 * receive returned false.
 */
public final class StdioEcho {
    private StdioEcho() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("close")) {
            closeWakesReceiver();
            return;
        }
        Counters counters = new Counters();
        FramePool pool = new FramePool(0xFFFF, 2);
        try (StreamLink link = StdioLink.open(counters)) {
            Frame f = pool.acquire();
            while (link.receive(f)) {
                link.send(f.data());
            }
            f.release();
        }
        System.err.println(counters.snapshot());
    }

    private static void closeWakesReceiver() throws Exception {
        StreamLink link = StdioLink.open(new Counters());
        Frame f = new FramePool(0xFFFF, 1).acquire();
        boolean[] got = {true};
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                got[0] = link.receive(f);
            } catch (IOException e) {
                e.printStackTrace();
            }
        });
        Thread.sleep(300);
        link.close();
        reader.join(10_000);
        System.exit(!reader.isAlive() && !got[0] ? 0 : 3);
    }
}
