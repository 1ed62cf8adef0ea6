package io.gvproxy.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FramePoolTest {
    @ParameterizedTest
    @CsvSource({"1500, 1024", "9000, 930", "65520, 127"})
    void idleFramesAreBoundedInCountAndBytes(int mtu, int maxIdle) {
        FramePool pool = FramePool.forMtu(mtu);
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            frames.add(pool.acquire());
        }
        assertEquals(0, pool.idleCount(), "nothing is allocated ahead of use");
        frames.forEach(Frame::release);
        assertEquals(maxIdle, pool.idleCount());
        assertEquals(1100, pool.allocatedCount());
        pool.acquire().release();
        assertEquals(1100, pool.allocatedCount(), "an idle frame is reused");
    }
}
