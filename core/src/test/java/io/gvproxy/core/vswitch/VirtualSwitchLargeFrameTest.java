package io.gvproxy.core.vswitch;

import static io.gvproxy.core.vswitch.SwitchFixture.GATEWAY;
import static io.gvproxy.core.vswitch.SwitchFixture.expect;
import static io.gvproxy.core.vswitch.SwitchFixture.frame;
import static io.gvproxy.core.vswitch.SwitchFixture.mac;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.net.MacAddress;

import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A port that negotiated frames over the MTU: they reach the gateway's large input and nothing else. */
class VirtualSwitchLargeFrameTest {
    private SwitchFixture fx;
    private final FramePool largePool = new FramePool(65535, 2);
    private final LinkedBlockingQueue<byte[]> largeInput = new LinkedBlockingQueue<>();
    private TestLink large;
    private TestLink b;

    @BeforeEach
    void setUp() throws Exception {
        fx = new SwitchFixture();
        fx.sw.setGatewayLargeInput(f -> largeInput.add(f.data().toArray(ValueLayout.JAVA_BYTE)));
        large = new TestLink("large");
        fx.links.add(large);
        fx.sw.attach(large, fx.pool, largePool, fx.detached::add);
        b = fx.attach("b");
        // b's MAC is learned, so unicast to it is switched rather than flooded
        byte[] hello = frame(GATEWAY, mac(2), "b hello");
        b.inject(hello);
        fx.expectAtGateway(hello);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static byte[] sized(MacAddress dst, MacAddress src, int length) {
        byte[] f = new byte[length];
        System.arraycopy(frame(dst, src, "large " + length), 0, f, 0, 60);
        return f;
    }

    @Test
    void aFrameOverTheMtuToTheGatewayGoesToTheLargeInput() throws Exception {
        byte[] big = sized(GATEWAY, mac(1), 60000);
        large.inject(big);
        byte[] got = largeInput.poll(SwitchFixture.WAIT_MS, TimeUnit.MILLISECONDS);
        assertArrayEquals(big, got);
        fx.assertNothingMore(List.of(large), List.of(b));
        assertEquals(0, fx.counters.get("switch.large_frames_dropped"));
    }

    @Test
    void aFrameOverTheMtuToAnotherPortOrBroadcastIsCountedAndDropped() throws Exception {
        large.inject(sized(mac(2), mac(1), 3000));
        large.inject(sized(MacAddress.BROADCAST, mac(1), 3000));
        large.inject(sized(mac(77), mac(1), 3000));
        fx.assertNothingMore(List.of(large), List.of(b));
        assertEquals(3, fx.counters.get("switch.large_frames_dropped"));
        assertTrue(largeInput.isEmpty());
    }

    @Test
    void withoutALargeInputTheGatewayBoundFrameIsCountedAndDropped() throws Exception {
        fx.sw.setGatewayLargeInput(null);
        large.inject(sized(GATEWAY, mac(1), 3000));
        fx.assertNothingMore(List.of(large), List.of(b));
        assertEquals(1, fx.counters.get("switch.large_frames_dropped"));
    }

    @Test
    void framesWithinTheMtuAreSwitchedAsUsualWithoutHoldingLargeBuffers() throws Exception {
        for (int i = 0; i < 200; i++) {
            byte[] f = frame(mac(2), mac(1), "small " + i);
            large.inject(f);
            expect(b, f);
        }
        byte[] toGw = frame(GATEWAY, mac(1), "to the gateway");
        large.inject(toGw);
        fx.expectAtGateway(toGw);
        assertTrue(largePool.allocatedCount() <= 2, "large buffers allocated: " + largePool.allocatedCount());
        assertEquals(0, fx.counters.get("switch.large_frames_dropped"));
    }
}
