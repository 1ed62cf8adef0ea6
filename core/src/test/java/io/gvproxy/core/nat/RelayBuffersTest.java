package io.gvproxy.core.nat;

import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayBuffersTest {
    @Test
    void keepsAtMostItsBoundAndCountsWhatIsLent() {
        Counters counters = new Counters();
        RelayBuffers buffers = new RelayBuffers(2, counters.counter("lent"));
        List<RelayBuffers.Lease> taken = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RelayBuffers.Lease l = buffers.acquire();
            assertEquals(RelayBuffers.SIZE, l.bytes.capacity());
            assertTrue(l.bytes.isDirect(), "native, so that socket writes need no bounce buffer");
            taken.add(l);
        }
        assertEquals(5, counters.get("lent"));
        for (RelayBuffers.Lease l : taken) {
            l.bytes.position(7);
            buffers.release(l);
        }
        assertEquals(0, counters.get("lent"));
        assertEquals(2, buffers.kept(), "the rest were freed at once");
        RelayBuffers.Lease again = buffers.acquire();
        assertEquals(0, again.bytes.position(), "handed out cleared");
        assertEquals(RelayBuffers.SIZE, again.bytes.remaining());
        assertSame(taken.get(1), again, "the last buffer kept is reused first");
        buffers.release(again);
    }

    @Test
    void aReleasedBufferIsTheNextOneLent() {
        RelayBuffers buffers = new RelayBuffers(1, new Counters().counter("lent"));
        RelayBuffers.Lease a = buffers.acquire();
        RelayBuffers.Lease b = buffers.acquire();
        assertNotSame(a, b);
        buffers.release(a);
        assertSame(a, buffers.acquire());
    }
}
